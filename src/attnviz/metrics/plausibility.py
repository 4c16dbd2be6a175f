"""Agreement of explanations with human rationales, as ERASER scores it (DeYoung et al. 2020).

Gold rationales are character spans; a token is gold when its span overlaps one. Soft scores are
rated by AUPRC; for the hard measures each explanation selects its top k tokens, k being the number
of gold tokens in that example (the length a human chose, so methods compete on ranking alone).
Every figure is the mean over examples that have gold tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from attnviz.explanation import Explanation
from attnviz.metrics.faithfulness import top_tokens

IOU_THRESHOLD = 0.5


@dataclass(frozen=True)
class Plausibility:
    token_precision: float
    token_recall: float
    token_f1: float
    iou_f1: float  # spans of selected tokens matching a gold span at IOU >= 0.5
    auprc: float
    examples: int


def gold_tokens(explanation: Explanation, spans: Sequence[tuple[int, int]]) -> list[bool]:
    return [any(token.start < end and start < token.end for start, end in spans) for token in explanation.tokens]


def plausibility(explanations: Sequence[Explanation], rationales: Sequence[Sequence[tuple[int, int]]]) -> Plausibility:
    rows = []
    for explanation, spans in zip(explanations, rationales, strict=True):
        gold = gold_tokens(explanation, spans)
        if not any(gold):
            continue
        chosen = set(top_tokens(explanation, sum(gold) / len(gold)))
        selected = [position in chosen for position in range(len(gold))]
        precision, recall, f1 = _token_scores(selected, gold)
        scores = [token.weight for token in explanation.tokens]
        rows.append((precision, recall, f1, _iou_f1(selected, gold), average_precision(scores, gold)))
    if not rows:
        nan = float("nan")
        return Plausibility(nan, nan, nan, nan, nan, 0)
    precision, recall, f1, iou_f1, auprc = (float(value) for value in np.mean(rows, axis=0))
    return Plausibility(precision, recall, f1, iou_f1, auprc, len(rows))


def _token_scores(selected: Sequence[bool], gold: Sequence[bool]) -> tuple[float, float, float]:
    hits = sum(s and g for s, g in zip(selected, gold, strict=True))
    precision = hits / max(sum(selected), 1)
    recall = hits / max(sum(gold), 1)
    return precision, recall, _f1(precision, recall)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def runs(flags: Sequence[bool]) -> list[range]:
    """Maximal runs of consecutive true positions."""
    found, start = [], None
    for position, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = position
        elif not flag and start is not None:
            found.append(range(start, position))
            start = None
    return found


def _iou_f1(selected: Sequence[bool], gold: Sequence[bool]) -> float:
    predicted, wanted = runs(selected), runs(gold)
    if not predicted or not wanted:
        return 0.0

    def best(span: range, others: list[range]) -> float:
        return max(len(set(span) & set(other)) / len(set(span) | set(other)) for other in others)

    precision = sum(best(span, wanted) >= IOU_THRESHOLD for span in predicted) / len(predicted)
    recall = sum(best(span, predicted) >= IOU_THRESHOLD for span in wanted) / len(wanted)
    return _f1(precision, recall)


def average_precision(scores: Sequence[float], gold: Sequence[bool]) -> float:
    """Area under the precision-recall curve as sklearn's average_precision_score computes it: the
    precision at each distinct score threshold, weighted by the recall it adds."""
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    ranked_scores = np.asarray(scores, dtype=float)[order]
    ranked_gold = np.asarray(gold, dtype=float)[order]
    # Thresholds fall only where the score changes: tied tokens enter together.
    last_of_group = np.r_[np.nonzero(np.diff(ranked_scores))[0], len(ranked_scores) - 1]
    hits = np.cumsum(ranked_gold)[last_of_group]
    precision = hits / (last_of_group + 1)
    recall = hits / max(ranked_gold.sum(), 1.0)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))

"""Predictions and erased-input scores in the ERASER benchmark's JSON Lines format (DeYoung et al. 2020),
so that the benchmark's own scorer (`rationale_benchmark/metrics.py`) can read them.

ERASER counts whitespace-separated tokens; each gets the largest weight of the attnviz tokens it
overlaps. The hard rationale is the top 10 % of attnviz's tokens (at least one), as ERASER spans.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from attnviz.explanation import Explanation
from attnviz.metrics.faithfulness import AOPC_FRACTIONS, PredictProba, only_tokens, top_tokens, without_tokens
from attnviz.metrics.plausibility import runs

HARD_FRACTION = 0.10
assert HARD_FRACTION in AOPC_FRACTIONS
_WORD = re.compile(r"\S+")


def eraser_records(
    explanations: Sequence[Explanation], predict_proba: PredictProba, documents: Sequence[str], classes: Sequence[str]
) -> list[dict[str, Any]]:
    """One record per explanation; `documents` are the ERASER annotation ids (document file names) and
    `classes` name `predict_proba`'s columns."""

    def scores(texts: list[str]) -> list[dict[str, float]]:
        rows = np.asarray(predict_proba(texts)) if texts else np.zeros((0, len(classes)))
        return [dict(zip(classes, row.tolist(), strict=True)) for row in rows]

    hard = [top_tokens(e, HARD_FRACTION) for e in explanations]
    thresholds = [
        (
            fraction,
            scores([without_tokens(e, top_tokens(e, fraction)) for e in explanations]),
            scores([only_tokens(e, top_tokens(e, fraction)) for e in explanations]),
        )
        for fraction in AOPC_FRACTIONS
    ]
    # The hard rationale is one of the thresholds: its erased-input scores are already there.
    _, removed, alone = next(scores_at for scores_at in thresholds if scores_at[0] == HARD_FRACTION)
    records = []
    for index, (explanation, document) in enumerate(zip(explanations, documents, strict=True)):
        records.append(
            {
                "annotation_id": document,
                "rationales": [_rationale(explanation, document, hard[index])],
                "classification": explanation.label,
                "classification_scores": dict(explanation.probabilities),
                "comprehensiveness_classification_scores": removed[index],
                "sufficiency_classification_scores": alone[index],
                "thresholded_scores": [
                    {
                        "threshold": fraction,
                        "comprehensiveness_classification_scores": without[index],
                        "sufficiency_classification_scores": only[index],
                    }
                    for fraction, without, only in thresholds
                ],
            }
        )
    return records


def _rationale(explanation: Explanation, document: str, hard: Sequence[int]) -> dict[str, Any]:
    words = [(match.start(), match.end()) for match in _WORD.finditer(explanation.text)]
    selected = set(hard)
    soft, chosen, touched = [0.0] * len(words), [False] * len(words), [False] * len(words)
    cursor = 0
    for position, token in enumerate(explanation.tokens):
        while cursor < len(words) and words[cursor][1] <= token.start:
            cursor += 1
        word = cursor
        while word < len(words) and words[word][0] < token.end:  # every whitespace word the token overlaps
            soft[word] = max(soft[word], token.weight) if touched[word] else token.weight
            touched[word] = True
            chosen[word] = chosen[word] or position in selected
            word += 1
    spans = [{"start_token": span.start, "end_token": span.stop} for span in runs(chosen)]
    return {"docid": document, "soft_rationale_predictions": soft, "hard_rationale_predictions": spans}

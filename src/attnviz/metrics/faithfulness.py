"""How much the words an explanation ranks highest drive the prediction (DeYoung et al. 2020, ERASER).

Pure functions over any `predict_proba(texts) -> (texts, classes)` array whose columns follow the order
of the explanations' `probabilities`, so they score any model, not only attnviz's. Words are removed
from or kept in the original text by their character spans; for `k` the top ceil(fraction x words)
words are taken, at least one, ties broken by position.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from attnviz.explanation import Explanation

PredictProba = Callable[[Sequence[str]], np.ndarray]
# ERASER's bins for the area over the perturbation curve.
AOPC_FRACTIONS = (0.01, 0.05, 0.10, 0.20, 0.50)


def memoised(predict_proba: PredictProba) -> PredictProba:
    """`predict_proba` that runs the model once per distinct text and answers repeats from memory.

    Scoring one method asks for many texts twice: for texts of up to 20 words, 1 % and 5 % both remove the
    top word, and a deletion curve at 10, 20 and 50 % repeats comprehensiveness there. Keep one for the
    texts of one method at most: it holds every text it was given.
    """
    known: dict[str, np.ndarray] = {}

    def predict(texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(text for text in texts if text not in known))
        if missing:
            known.update(zip(missing, np.asarray(predict_proba(missing)), strict=True))
        return np.stack([known[text] for text in texts]) if texts else np.asarray(predict_proba(texts))

    return predict


def top_tokens(explanation: Explanation, fraction: float) -> list[int]:
    """Positions of the ceil(fraction x n) highest-weighted tokens (at least one when there are any)."""
    count = len(explanation.tokens)
    if count == 0:
        return []
    k = min(count, max(1, math.ceil(fraction * count - 1e-9)))
    ranked = sorted(range(count), key=lambda position: (-explanation.tokens[position].weight, position))
    return sorted(ranked[:k])


def without_tokens(explanation: Explanation, positions: Sequence[int]) -> str:
    """The text with those tokens' characters cut out; everything else, the unread tail too, stays."""
    pieces, cursor = [], 0
    for position in sorted(positions):
        token = explanation.tokens[position]
        pieces.append(explanation.text[cursor : token.start])
        cursor = token.end
    return "".join(pieces) + explanation.text[cursor:]


def only_tokens(explanation: Explanation, positions: Sequence[int]) -> str:
    """Just those tokens, in text order, joined by spaces."""
    return " ".join(explanation.tokens[position].text for position in sorted(positions))


def comprehensiveness(predict_proba: PredictProba, explanations: Sequence[Explanation], fraction: float) -> np.ndarray:
    """Per example p(predicted | text) - p(predicted | text without its top words): high is faithful."""
    return _drop(predict_proba, explanations, [without_tokens(e, top_tokens(e, fraction)) for e in explanations])


def sufficiency(predict_proba: PredictProba, explanations: Sequence[Explanation], fraction: float) -> np.ndarray:
    """Per example p(predicted | text) - p(predicted | its top words alone): low is faithful."""
    return _drop(predict_proba, explanations, [only_tokens(e, top_tokens(e, fraction)) for e in explanations])


def aopc(
    metric: Callable[[PredictProba, Sequence[Explanation], float], np.ndarray],
    predict_proba: PredictProba,
    explanations: Sequence[Explanation],
    fractions: Sequence[float] = AOPC_FRACTIONS,
) -> np.ndarray:
    """Per example, the mean of `metric` (comprehensiveness or sufficiency) over `fractions`."""
    if not explanations:
        return np.zeros(0)
    scores = np.stack(
        [metric(predict_proba, explanations, fraction) for fraction in fractions]
    )  # (fractions, examples)
    mean: np.ndarray = scores.mean(axis=0)
    return mean


def deletion_curve(
    predict_proba: PredictProba, explanations: Sequence[Explanation], fractions: Sequence[float]
) -> np.ndarray:
    """(examples, fractions): p(predicted) after removing the top `fraction` of words; 0 removes none."""
    columns = []
    for fraction in fractions:
        texts = [without_tokens(e, top_tokens(e, fraction) if fraction > 0 else []) for e in explanations]
        columns.append(_predicted_probability(predict_proba(texts), explanations))
    return np.stack(columns, axis=1) if columns else np.zeros((len(explanations), 0))


def _drop(predict_proba: PredictProba, explanations: Sequence[Explanation], changed: list[str]) -> np.ndarray:
    before = np.array([e.probabilities[e.label] for e in explanations], dtype=float)
    return before - _predicted_probability(predict_proba(changed), explanations) if explanations else np.zeros(0)


def _predicted_probability(probabilities: np.ndarray, explanations: Sequence[Explanation]) -> np.ndarray:
    columns = [list(e.probabilities).index(e.label) for e in explanations]
    return np.asarray(probabilities, dtype=float)[np.arange(len(explanations)), columns]

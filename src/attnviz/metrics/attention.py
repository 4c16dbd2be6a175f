"""Statistics of attention itself: how spread out it is, and whether the output cares where it goes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from attnviz.explanation import Explanation

# (texts, one weight per word read for each) -> (texts, classes): the model run with those attention weights.
PredictWithAttention = Callable[[Sequence[str], Sequence[Sequence[float]]], np.ndarray]
ROWS_PER_CALL = 8192


def attention_entropy(explanations: Sequence[Explanation]) -> np.ndarray:
    """Per example, the entropy of the weights in nats: 0 when one word takes everything, ln n when uniform."""
    entropies = []
    for explanation in explanations:
        weights = np.array([token.weight for token in explanation.tokens], dtype=float)
        weights = weights[weights > 0]
        entropies.append(float(-np.sum(weights * np.log(weights))))
    return np.array(entropies)


def permutation_test(
    predict_with_attention: PredictWithAttention,
    explanations: Sequence[Explanation],
    permutations: int = 100,
    seed: int = 0,
) -> np.ndarray:
    """Per example, the median total variation distance between the model's output and its output when
    the attention weights are shuffled among the words (Jain & Wallace 2019): near 0 means the output
    hardly depends on where attention goes. The hidden states stay as they are."""
    texts, shuffled, owners = _shuffled(explanations, permutations, np.random.default_rng(seed))
    medians = np.zeros(len(explanations))
    if not owners:
        return medians
    # Calls end on an example's boundary, so that no text is read and run in two of them.
    step = max(1, ROWS_PER_CALL // permutations) * permutations
    outputs = [
        predict_with_attention(texts[start : start + step], shuffled[start : start + step])
        for start in range(0, len(texts), step)
    ]
    original = np.array([list(e.probabilities.values()) for e in explanations])  # (examples, classes)
    distances = 0.5 * np.abs(np.concatenate(outputs) - original[owners]).sum(axis=1)  # (rows,)
    # Each shuffled example owns `permutations` consecutive rows.
    medians[owners[::permutations]] = np.median(distances.reshape(-1, permutations), axis=1)
    return medians


def _shuffled(
    explanations: Sequence[Explanation], permutations: int, generator: np.random.Generator
) -> tuple[list[str], list[list[float]], list[int]]:
    """Rows of (text, its weights shuffled, its example's index): `permutations` rows for each example
    of at least two words, consecutive."""
    texts: list[str] = []
    shuffled: list[list[float]] = []
    owners: list[int] = []
    for index, explanation in enumerate(explanations):
        weights = np.array([token.weight for token in explanation.tokens], dtype=float)
        if len(weights) > 1 and permutations > 0:
            shuffled.extend(np.stack([generator.permutation(weights) for _ in range(permutations)]).tolist())
            texts.extend([explanation.text] * permutations)
            owners.extend([index] * permutations)
    return texts, shuffled, owners

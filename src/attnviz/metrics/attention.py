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
    generator = np.random.default_rng(seed)
    texts, shuffled, owners = [], [], []
    for index, explanation in enumerate(explanations):
        weights = np.array([token.weight for token in explanation.tokens], dtype=float)
        for _ in range(permutations if len(weights) > 1 else 0):
            texts.append(explanation.text)
            shuffled.append(generator.permutation(weights).tolist())
            owners.append(index)
    outputs = [
        predict_with_attention(texts[start : start + ROWS_PER_CALL], shuffled[start : start + ROWS_PER_CALL])
        for start in range(0, len(texts), ROWS_PER_CALL)
    ]
    changed = np.concatenate(outputs) if outputs else np.zeros((0, 0))
    distances: list[list[float]] = [[] for _ in explanations]
    for row, index in enumerate(owners):
        original = np.array(list(explanations[index].probabilities.values()))
        distances[index].append(0.5 * float(np.abs(changed[row] - original).sum()))
    return np.array([float(np.median(values)) if values else 0.0 for values in distances])

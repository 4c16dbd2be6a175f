"""Do two explanation methods rank the words alike? Kendall's tau per example, as Jain & Wallace (2019)
compare attention with gradients and leave-one-out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from attnviz.explanation import Explanation

SIGNIFICANCE = 0.05
EXACT_BELOW = 50  # words: the exact null distribution below this (without ties), the normal one above


@dataclass(frozen=True)
class Agreement:
    """Kendall's tau between two methods over the examples where it is defined (two words or more,
    neither method giving every word the same weight)."""

    mean: float
    std: float
    significant_fraction: float  # examples whose tau differs from 0 at p < 0.05
    examples: int
    taus: tuple[float, ...]  # per input example; NaN where undefined


def kendall_tau(first: Sequence[float], second: Sequence[float]) -> tuple[float, float]:
    """Kendall's tau-b and its two-sided p-value: exact without ties below 50 items, else the normal
    approximation with the tie-corrected variance (what scipy.stats.kendalltau does by default)."""
    x, y = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    n = len(x)
    if n != len(y):
        raise ValueError("kendall_tau needs two sequences of the same length")
    upper = np.triu_indices(n, k=1)
    dx = np.sign(x[:, None] - x[None, :])[upper]
    dy = np.sign(y[:, None] - y[None, :])[upper]
    pairs = n * (n - 1) // 2
    untied_x, untied_y = int(np.count_nonzero(dx)), int(np.count_nonzero(dy))
    if n < 2 or untied_x == 0 or untied_y == 0:
        return math.nan, math.nan
    score = float(np.sum(dx * dy))  # concordant - discordant pairs
    tau = score / math.sqrt(untied_x * untied_y)
    if untied_x == pairs and untied_y == pairs and n < EXACT_BELOW:
        return tau, _exact_p(n, round((pairs - score) / 2))
    return tau, _normal_p(x, y, score)


def _exact_p(n: int, discordant: int) -> float:
    counts = _inversion_counts(n)  # permutations of n items by number of discordant pairs
    total = float(sum(counts))
    lower, upper = sum(counts[: discordant + 1]) / total, sum(counts[discordant:]) / total
    return min(1.0, 2 * min(lower, upper))


@cache
def _inversion_counts(n: int) -> tuple[int, ...]:
    counts = [1]
    for size in range(2, n + 1):  # inserting item `size` adds 0 to size - 1 inversions
        grown = [0] * (len(counts) + size - 1)
        for inversions, ways in enumerate(counts):
            for added in range(size):
                grown[inversions + added] += ways
        counts = grown
    return tuple(counts)


def _normal_p(x: np.ndarray, y: np.ndarray, score: float) -> float:
    n = len(x)
    tx, ty = _tie_sizes(x), _tie_sizes(y)  # sizes of the groups of equal values
    base = n * (n - 1) * (2 * n + 5) - np.sum(tx * (tx - 1) * (2 * tx + 5)) - np.sum(ty * (ty - 1) * (2 * ty + 5))
    pairs_term = np.sum(tx * (tx - 1)) * np.sum(ty * (ty - 1)) / (2 * n * (n - 1))
    triples_term = (
        np.sum(tx * (tx - 1) * (tx - 2)) * np.sum(ty * (ty - 1) * (ty - 2)) / (9 * n * (n - 1) * (n - 2))
        if n > 2
        else 0.0
    )
    variance = float(base / 18 + pairs_term + triples_term)
    return math.erfc(abs(score) / math.sqrt(2 * variance)) if variance > 0 else 1.0


def _tie_sizes(values: np.ndarray) -> np.ndarray:
    return np.unique(values, return_counts=True)[1].astype(float)


def method_agreement(first: Sequence[Explanation], second: Sequence[Explanation]) -> Agreement:
    """Kendall's tau between two methods' weights, text by text (same texts, same order)."""
    if len(first) != len(second):
        raise ValueError("method_agreement needs explanations of the same texts by both methods")
    taus, significant = [], 0
    for a, b in zip(first, second, strict=True):
        tau, p = kendall_tau([t.weight for t in a.tokens], [t.weight for t in b.tokens])
        taus.append(tau)
        significant += int(p < SIGNIFICANCE)  # NaN compares false
    defined = [tau for tau in taus if not math.isnan(tau)]
    if not defined:
        return Agreement(math.nan, math.nan, math.nan, 0, tuple(taus))
    std = float(np.std(defined, ddof=1)) if len(defined) > 1 else 0.0
    return Agreement(float(np.mean(defined)), std, significant / len(defined), len(defined), tuple(taus))

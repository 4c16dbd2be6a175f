from __future__ import annotations

import math

import pytest

from attnviz.explanation import Explanation, TokenWeight
from attnviz.metrics.agreement import kendall_tau, method_agreement


def test_kendall_tau_exact_p_values_by_hand() -> None:
    assert kendall_tau([1, 2, 3], [10, 20, 30]) == pytest.approx((1.0, 2 / 6))  # 1 of 3! orders, both tails
    assert kendall_tau([1, 2, 3], [3, 2, 1]) == pytest.approx((-1.0, 2 / 6))
    # One discordant pair of six; permutations of 4 by discordant pairs: 1, 3, 5, 6, 5, 3, 1.
    assert kendall_tau([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx((4 / 6, 2 * 4 / 24))
    assert kendall_tau(range(10), range(10)) == pytest.approx((1.0, 2 / math.factorial(10)))


def test_kendall_tau_b_with_ties_uses_the_normal_approximation() -> None:
    tau, p = kendall_tau([1, 1, 2, 3], [1, 2, 3, 4])
    assert tau == pytest.approx(5 / math.sqrt(5 * 6))  # one pair tied in the first: 5 of 6 pairs count
    variance = (4 * 3 * 13 - 2 * 1 * 9) / 18  # n(n-1)(2n+5) less the tied group's t(t-1)(2t+5), over 18
    assert p == pytest.approx(math.erfc(5 / math.sqrt(variance) / math.sqrt(2)))


def test_kendall_tau_is_undefined_without_order() -> None:
    assert all(math.isnan(value) for value in kendall_tau([0.5, 0.5, 0.5], [1, 2, 3]))
    assert all(math.isnan(value) for value in kendall_tau([1], [1]))
    with pytest.raises(ValueError, match="same length"):
        kendall_tau([1, 2], [1])


def weighted(weights: list[float]) -> Explanation:
    tokens = [TokenWeight(f"w{i}", i, i + 1, weight) for i, weight in enumerate(weights)]
    return Explanation("x" * len(weights), "a", {"a": 1.0, "b": 0.0}, tokens)


def test_method_agreement_summarises_defined_examples() -> None:
    first = [weighted([1, 2, 3, 4, 5, 6, 7, 8]), weighted([1, 2, 3]), weighted([0.5, 0.5]), weighted([])]
    second = [weighted([1, 2, 3, 4, 5, 6, 7, 8]), weighted([3, 2, 1]), weighted([1, 2]), weighted([])]
    agreement = method_agreement(first, second)
    assert agreement.examples == 2
    assert agreement.mean == pytest.approx(0.0) and agreement.std == pytest.approx(math.sqrt(2))
    assert agreement.significant_fraction == pytest.approx(0.5)  # p = 2/8! for the first, 1/3 for the second
    assert agreement.taus[:2] == (1.0, -1.0) and math.isnan(agreement.taus[2])

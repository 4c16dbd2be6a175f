from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from attnviz.explanation import Explanation, TokenWeight
from attnviz.metrics.attention import attention_entropy, permutation_test
from attnviz.metrics.faithfulness import (
    aopc,
    comprehensiveness,
    deletion_curve,
    memoised,
    only_tokens,
    sufficiency,
    top_tokens,
    without_tokens,
)


def explained(text: str, weights: Sequence[float], positive: float = 0.8, truncated: bool = False) -> Explanation:
    tokens, cursor = [], 0
    for word, weight in zip(text.split(), weights, strict=False):  # the first len(weights) words read
        start = text.index(word, cursor)
        tokens.append(TokenWeight(word, start, start + len(word), weight))
        cursor = start + len(word)
    return Explanation(text, "pos", {"neg": 1 - positive, "pos": positive}, tokens, truncated)


def predict_proba(texts: Sequence[str]) -> np.ndarray:
    """p(pos) = 0.2 + 0.6 [good] + 0.2 [film] - 0.2 [bad], columns (neg, pos)."""
    positive = [0.2 + 0.6 * ("good" in t) + 0.2 * ("film" in t) - 0.2 * ("bad" in t) for t in texts]
    return np.array([[1 - p, p] for p in positive])


EXAMPLE = explained("good bad film", [0.6, 0.1, 0.3])


def test_top_tokens_takes_the_ceiling_of_the_fraction_and_at_least_one() -> None:
    assert top_tokens(EXAMPLE, 0.01) == [0]
    assert top_tokens(EXAMPLE, 0.5) == [0, 2]  # ceil(1.5) = 2, in text order
    assert top_tokens(EXAMPLE, 1 / 3) == [0]
    assert top_tokens(explained("", []), 0.5) == []
    assert top_tokens(explained("a b c", [0.2, 0.5, 0.5]), 0.3) == [1]  # ties go to the earlier word


def test_removing_and_keeping_words_works_on_the_original_text() -> None:
    assert without_tokens(EXAMPLE, [0]) == " bad film"
    assert only_tokens(EXAMPLE, [2, 0]) == "good film"
    cut = explained("good bad film extra words", [0.6, 0.1, 0.3], truncated=True)
    assert without_tokens(cut, [0, 2]) == " bad  extra words"  # the unread tail stays


def test_comprehensiveness_and_sufficiency_by_hand() -> None:
    assert comprehensiveness(predict_proba, [EXAMPLE], 0.01) == pytest.approx([0.8 - 0.2])
    assert sufficiency(predict_proba, [EXAMPLE], 0.01) == pytest.approx([0.0])
    assert comprehensiveness(predict_proba, [EXAMPLE], 0.5) == pytest.approx([0.8 - 0.0])
    assert sufficiency(predict_proba, [EXAMPLE], 0.5) == pytest.approx([0.8 - 1.0])


def test_aopc_averages_over_erasers_fractions() -> None:
    # k = 1, 1, 1, 1, 2 for 1, 5, 10, 20 and 50 % of three words
    assert aopc(comprehensiveness, predict_proba, [EXAMPLE]) == pytest.approx([(0.6 * 4 + 0.8) / 5])
    assert aopc(sufficiency, predict_proba, [EXAMPLE]) == pytest.approx([(0.0 * 4 - 0.2) / 5])
    assert aopc(comprehensiveness, predict_proba, []).shape == (0,)


def test_deletion_curve_starts_at_the_prediction() -> None:
    curve = deletion_curve(predict_proba, [EXAMPLE, explained("bad film", [0.9, 0.1], positive=0.2)], [0, 1 / 3, 1])
    assert curve == pytest.approx(np.array([[0.8, 0.2, 0.2], [0.2, 0.4, 0.2]]))


def test_memoised_predictions_run_each_distinct_text_once_and_give_the_same_rows() -> None:
    asked: list[list[str]] = []

    def counted(texts: Sequence[str]) -> np.ndarray:
        asked.append(list(texts))
        return predict_proba(texts)

    predict = memoised(counted)
    assert predict(["good", "bad", "good"]) == pytest.approx(predict_proba(["good", "bad", "good"]))
    assert predict(["bad film", "good"]) == pytest.approx(predict_proba(["bad film", "good"]))
    assert asked == [["good", "bad"], ["bad film"]]
    assert predict(["good"]).shape == (1, 2) and asked[-1] == ["bad film"]
    scores = [aopc(comprehensiveness, predict, [EXAMPLE]), deletion_curve(predict, [EXAMPLE], [0, 0.5])]
    assert scores[0] == pytest.approx(aopc(comprehensiveness, predict_proba, [EXAMPLE]))
    assert scores[1] == pytest.approx(deletion_curve(predict_proba, [EXAMPLE], [0, 0.5]))


def test_a_better_ranking_scores_higher_comprehensiveness() -> None:
    faithful, backwards = EXAMPLE, explained("good bad film", [0.1, 0.6, 0.3])
    assert comprehensiveness(predict_proba, [faithful], 0.2)[0] > comprehensiveness(predict_proba, [backwards], 0.2)[0]


def test_attention_entropy_in_nats() -> None:
    entropies = attention_entropy([explained("a b", [0.5, 0.5]), explained("a", [1.0]), explained("", [])])
    assert entropies == pytest.approx([math.log(2), 0.0, 0.0])


def test_permutation_test_is_the_median_output_change() -> None:
    def ignores_attention(texts: Sequence[str], weights: Sequence[Sequence[float]]) -> np.ndarray:
        return np.array([[0.2, 0.8]] * len(texts))

    def follows_first_word(texts: Sequence[str], weights: Sequence[Sequence[float]]) -> np.ndarray:
        return np.array([[1 - w[0], w[0]] for w in weights])

    assert permutation_test(ignores_attention, [EXAMPLE], permutations=20) == pytest.approx([0.0])
    # The weight 1 lands on the first word in a third of shuffles (no change), elsewhere output flips.
    sharp = explained("x y z", [1.0, 0.0, 0.0], positive=1.0)
    assert permutation_test(follows_first_word, [sharp], permutations=101, seed=1) == pytest.approx([1.0])
    assert permutation_test(follows_first_word, [explained("x", [1.0], positive=1.0)]) == pytest.approx([0.0])
    mixed = [explained("x", [1.0], positive=1.0), sharp, explained("a b", [0.5, 0.5], positive=0.5)]
    assert permutation_test(follows_first_word, mixed, permutations=101, seed=1) == pytest.approx([0.0, 1.0, 0.0])
    assert permutation_test(follows_first_word, mixed, permutations=0) == pytest.approx([0.0, 0.0, 0.0])

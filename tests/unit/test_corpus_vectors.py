"""Word vectors from the training texts: co-occurrence counts, PPMI and the randomized SVD, each against
small cases worked by hand or a dense reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from attnviz.training.corpus_vectors import (
    VECTOR_STD,
    cooccurrence_counts,
    corpus_word_vectors,
    positive_pmi,
    randomized_svd,
)


def dense(matrix: torch.Tensor) -> np.ndarray:
    return matrix.to_dense().numpy()


def test_pairs_are_weighted_by_distance_symmetric_and_kept_within_one_text() -> None:
    counts = dense(cooccurrence_counts([[2, 3, 4], [5]], vocabulary_size=6, window=2))
    expected = np.zeros((6, 6))
    for left, right, weight in [(2, 3, 1.0), (3, 4, 1.0), (2, 4, 0.5)]:
        expected[left, right] = expected[right, left] = weight
    np.testing.assert_allclose(counts, expected)  # word 5 is alone in its text: no pair with 4


def test_padding_and_unknown_words_count_for_nothing() -> None:
    counts = dense(cooccurrence_counts([[2, 1, 3, 0, 2]], vocabulary_size=4, window=1))
    assert counts.sum() == 0


def test_repeated_pairs_add_up() -> None:
    counts = dense(cooccurrence_counts([[2, 3], [2, 3], [3, 2]], vocabulary_size=4, window=3))
    assert counts[2, 3] == counts[3, 2] == 3.0


def test_positive_pmi_matches_the_formula_worked_by_hand() -> None:
    values = np.array([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 4, 1], [0, 0, 1, 2]], dtype=np.float32)
    matrix, transposed = positive_pmi(torch.from_numpy(values).to_sparse_coo(), smoothing=1.0)
    total = 8.0  # p(w, c) / (p(w) p(c)): rows and columns sum to 5 and 3
    expected = np.zeros((4, 4))
    expected[2, 2] = max(0.0, math.log(4 / total / (5 / total * 5 / total)))
    expected[3, 3] = max(0.0, math.log(2 / total / (3 / total * 3 / total)))
    np.testing.assert_allclose(dense(matrix), expected, rtol=1e-5)
    np.testing.assert_allclose(dense(transposed), expected.T, rtol=1e-5)
    assert expected[2, 3] == 0 and expected[2, 2] > 0  # the negative PMI of (2, 3) was clipped


def test_context_smoothing_lowers_the_pmi_of_rare_contexts() -> None:
    values = torch.tensor([[0.0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 9, 1], [0, 0, 1, 1]]).to_sparse_coo()
    plain, _ = positive_pmi(values, smoothing=1.0)
    smoothed, _ = positive_pmi(values, smoothing=0.75)
    assert dense(smoothed)[3, 3] < dense(plain)[3, 3]  # context 3 is seen twice, context 2 ten times
    assert dense(smoothed)[2, 2] == pytest.approx(
        dense(plain)[2, 2] + math.log(10 / 12 / (10**0.75 / (10**0.75 + 2**0.75))), rel=1e-5
    )


def test_randomized_svd_finds_the_top_singular_values_and_subspace() -> None:
    generator = torch.Generator().manual_seed(1)
    low_rank = torch.randn(60, 5, generator=generator) @ torch.randn(5, 60, generator=generator)
    values = low_rank * (torch.rand(60, 60, generator=generator) < 0.9) + 0.01 * torch.randn(
        60, 60, generator=generator
    )
    sparse = values.to_sparse_csr(), values.t().contiguous().to_sparse_csr()
    left, singular = randomized_svd(sparse, 4, seed=0)
    reference_left, reference_singular, _ = torch.linalg.svd(values)
    torch.testing.assert_close(singular, reference_singular[:4], rtol=1e-3, atol=1e-3)
    overlap = (reference_left[:, :4].t() @ left).abs()  # (4, 4): identity up to signs when the vectors agree
    torch.testing.assert_close(overlap, torch.eye(4), atol=1e-3, rtol=0)


def corpus() -> list[list[int]]:
    """Words 2 and 3 appear in the same contexts (4 5 _ 6 7), words 8 and 9 in others (10 11 _ 12 13)."""
    generator = np.random.default_rng(0)
    texts = []
    for _ in range(200):
        texts.append([4, 5, int(generator.choice([2, 3])), 6, 7])
        texts.append([10, 11, int(generator.choice([8, 9])), 12, 13])
    return texts


def cosine(first: np.ndarray, second: np.ndarray) -> float:
    return float(first @ second / (np.linalg.norm(first) * np.linalg.norm(second)))


def test_words_used_alike_get_close_vectors() -> None:
    vectors = corpus_word_vectors(corpus(), vocabulary_size=14, dimension=4)
    assert cosine(vectors[2], vectors[3]) > 0.9
    assert cosine(vectors[8], vectors[9]) > 0.9
    assert cosine(vectors[2], vectors[8]) < 0.5


def test_vectors_have_the_set_spread_zero_reserved_rows_and_repeat_for_a_seed() -> None:
    vectors = corpus_word_vectors(corpus(), vocabulary_size=14, dimension=8, seed=3)
    assert vectors.shape == (14, 8) and vectors.dtype == np.float32
    assert vectors[2:].std() == pytest.approx(VECTOR_STD, rel=1e-4)
    assert not vectors[:2].any()  # padding and unknown
    np.testing.assert_array_equal(vectors, corpus_word_vectors(corpus(), vocabulary_size=14, dimension=8, seed=3))


def test_a_vocabulary_smaller_than_the_width_fills_what_it_can() -> None:
    vectors = corpus_word_vectors([[2, 3, 4]], vocabulary_size=5, dimension=16)
    assert vectors.shape == (5, 16)
    assert not vectors[:, 3:].any()  # three words: rank three at most
    assert np.isfinite(vectors).all()


def test_texts_without_any_pair_give_zero_vectors() -> None:
    vectors = corpus_word_vectors([[2], [3], []], vocabulary_size=4, dimension=3)
    assert not vectors.any()

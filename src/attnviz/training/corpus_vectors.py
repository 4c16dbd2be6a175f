"""Word vectors learned from the training texts themselves, to start the embeddings from.

Randomly started embeddings learn a rare word only from the few labelled texts it is in; on long
documents that leaves most of the vocabulary barely trained. Vectors from how words co-occur give every
word a place near the words used like it before the classifier sees a label. They are the truncated SVD
of the positive pointwise mutual information (PPMI) matrix, which Levy & Goldberg (2014) showed is what
skip-gram with negative sampling factorises implicitly; with Levy, Goldberg & Dagan's (2015) settings
(context counts smoothed by the power 0.75, singular values weighted by their square root) the vectors
match skip-gram's. Unlike skip-gram they come from one deterministic computation on sparse matrices, in
seconds for IMDB's five million words, with no training loop to tune.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence

import numpy as np
import torch

from attnviz.text.vocabulary import RESERVED_ENTRIES

logger = logging.getLogger(__name__)

WINDOW = 5
CONTEXT_SMOOTHING = 0.75
# Per-entry standard deviation of the vectors as copied into the embedding layer (the SVD's own scale
# depends on the corpus size). IMDB, seed 0: 0.1 -> 90.38 %, 0.3 -> 90.92 %, 0.6 -> 90.63 % (89.9 % from a
# random start); fastText's skip-gram vectors of the same texts have a spread of 0.24.
VECTOR_STD = 0.3
_OVERSAMPLING = 16
_POWER_ITERATIONS = 4


def corpus_word_vectors(
    sequences: Sequence[Sequence[int]], vocabulary_size: int, dimension: int, *, seed: int = 0
) -> np.ndarray:
    """(vocabulary, dimension) vectors for word indices in `sequences`; rows of padding, unknown and
    words never seen beside another are zero."""
    started = time.perf_counter()
    counts = cooccurrence_counts(sequences, vocabulary_size, WINDOW)
    matrix = positive_pmi(counts, CONTEXT_SMOOTHING)
    rank = min(dimension, max(vocabulary_size - RESERVED_ENTRIES, 1))
    left, singular = randomized_svd(matrix, rank, seed=seed)  # (vocabulary, rank), (rank,)
    vectors = torch.zeros(vocabulary_size, dimension)
    vectors[:, :rank] = left * singular.sqrt()
    vectors[matrix[0].crow_indices().diff() == 0] = 0.0  # words with no positive PMI: rounding noise only
    spread = vectors[RESERVED_ENTRIES:].std(correction=0)
    if spread > 0:
        vectors *= VECTOR_STD / spread
    logger.info(
        "word vectors from the training texts: %s co-occurring pairs, %.1f s", f"{counts._nnz():,}",
        time.perf_counter() - started,
    )  # fmt: skip
    return vectors.numpy()


def cooccurrence_counts(sequences: Sequence[Sequence[int]], vocabulary_size: int, window: int) -> torch.Tensor:
    """Sparse (vocabulary, vocabulary) counts of words within `window` of each other in one text,
    each pair weighted by (window - distance + 1) / window as word2vec's shrinking window does on
    average. Padding and unknown words (indices below RESERVED_ENTRIES) count for nothing."""
    separator = np.zeros(window, dtype=np.int64)  # keeps pairs from spanning two texts
    pieces = [part for sequence in sequences for part in (np.asarray(sequence, dtype=np.int64), separator)]
    words = np.concatenate(pieces) if pieces else separator  # (corpus words,)
    shape = (vocabulary_size, vocabulary_size)
    total = torch.sparse_coo_tensor(torch.zeros(2, 0, dtype=torch.int64), torch.zeros(0), shape, check_invariants=False)
    for distance in range(1, window + 1):
        left, right = words[:-distance], words[distance:]
        kept = (left >= RESERVED_ENTRIES) & (right >= RESERVED_ENTRIES)
        pairs = torch.from_numpy(np.stack([left[kept], right[kept]]))  # (2, pairs): word before, word after
        weight = torch.full((pairs.shape[1],), (window - distance + 1) / window)
        total = (total + torch.sparse_coo_tensor(pairs, weight, shape, check_invariants=False)).coalesce()
    return (total + total.t()).coalesce()  # both orders once at the end: half the memory of each step


def positive_pmi(counts: torch.Tensor, smoothing: float) -> tuple[torch.Tensor, torch.Tensor]:
    """The PPMI matrix of co-occurrence `counts`, max(0, log p(w, c) / (p(w) p_smoothed(c))), as sparse
    CSR and its transpose; context probabilities come from counts raised to `smoothing`."""
    indices, values = counts.indices(), counts.values()  # (2, pairs), (pairs,)
    size = counts.shape[0]
    word_totals = torch.zeros(size, dtype=torch.float64).index_add_(0, indices[0], values.double())
    context_totals = torch.zeros(size, dtype=torch.float64).index_add_(0, indices[1], values.double())
    smoothed = context_totals.pow(smoothing)
    # p(w, c) / (p(w) p_smoothed(c)) = count(w, c) * sum(smoothed) / (count(w) * smoothed(c)): the total cancels
    pmi = values.double().log() - word_totals[indices[0]].log() + smoothed.sum().log() - smoothed[indices[1]].log()
    positive = pmi > 0
    matrix = torch.sparse_coo_tensor(indices[:, positive], pmi[positive].float(), counts.shape, check_invariants=False)
    matrix = matrix.coalesce()
    with warnings.catch_warnings():  # PyTorch's notice that its sparse CSR support is in beta
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta", category=UserWarning)
        return matrix.to_sparse_csr(), matrix.t().coalesce().to_sparse_csr()


def randomized_svd(
    matrices: tuple[torch.Tensor, torch.Tensor], rank: int, *, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """The top `rank` left singular vectors and singular values of a sparse matrix, given with its
    transpose (Halko, Martinsson & Tropp 2011, with power iterations for a slowly decaying spectrum)."""
    matrix, transposed = matrices
    generator = torch.Generator().manual_seed(seed)
    probe = torch.randn(matrix.shape[1], rank + _OVERSAMPLING, generator=generator)  # (columns, sketch)
    basis, _ = torch.linalg.qr(matrix @ probe)  # (rows, sketch)
    for _ in range(_POWER_ITERATIONS):
        across, _ = torch.linalg.qr(transposed @ basis)  # (columns, sketch)
        basis, _ = torch.linalg.qr(matrix @ across)
    projected = (transposed @ basis).t()  # (sketch, columns) = basis^T matrix
    left, singular, _ = torch.linalg.svd(projected, full_matrices=False)
    return (basis @ left)[:, :rank], singular[:rank]

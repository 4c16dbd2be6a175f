"""Starting the embedding layer from pretrained word vectors (`TextClassifier(embeddings=FILE)`), or
from word vectors of the training texts (`corpus_vectors`).

Only training reads the vectors file: the copied rows become part of the weights, so a saved model
never needs the file again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import torch

from attnviz.config import CORPUS_VECTORS_MIN_WORDS, ModelConfig, TrainingConfig
from attnviz.errors import ConfigError
from attnviz.nn.network import AttentionClassifierNetwork
from attnviz.text.embeddings import WordVectors, read_word_vectors
from attnviz.text.vocabulary import RESERVED_ENTRIES, Vocabulary
from attnviz.training.corpus_vectors import corpus_word_vectors
from attnviz.training.trainer import EncodedData

logger = logging.getLogger(__name__)


def read_vocabulary_vectors(path: str, vocabulary: Vocabulary, lowercase: bool) -> WordVectors:
    """The vectors in `path` of the vocabulary's words (not padding or unknown)."""
    return read_word_vectors(path, vocabulary.words[RESERVED_ENTRIES:], lowercase=lowercase)


def sized_for_vectors(config: ModelConfig, vectors: WordVectors, path: str, *, explicit: bool) -> ModelConfig:
    """`config` with the vectors' width as embedding_size, or a ConfigError when the user set another."""
    if config.embedding_size == vectors.dimension:
        return config
    if explicit:
        raise ConfigError(
            f"embedding_size is {config.embedding_size} but the word vectors in {path} have {vectors.dimension} "
            f"dimensions; set embedding_size to {vectors.dimension}, or leave it out to use the vectors' width."
        )
    return replace(config, embedding_size=vectors.dimension)


def copy_vectors(network: AttentionClassifierNetwork, vocabulary: Vocabulary, vectors: WordVectors) -> int:
    """Copies each vocabulary word's vector into its embedding row and returns how many were copied.

    Words without a vector keep their random initialisation; the padding row stays zero.
    """
    weight = network.encoder.embedding.weight  # (vocabulary, embedding)
    if weight.shape[1] != vectors.dimension:
        raise ConfigError(
            f"The embedding layer is {weight.shape[1]} wide but the word vectors have {vectors.dimension} dimensions."
        )
    rows = [vocabulary.index[word] for word in vocabulary.words[RESERVED_ENTRIES:] if word in vectors.vectors]
    if rows:
        found = np.stack([vectors.vectors[vocabulary.words[row]] for row in rows])  # (found, embedding)
        with torch.no_grad():
            weight[torch.tensor(rows)] = torch.from_numpy(found).to(weight.device, weight.dtype)
    _log_coverage(len(rows), len(vocabulary) - RESERVED_ENTRIES)
    return len(rows)


def uses_corpus_vectors(training: TrainingConfig, data: EncodedData) -> bool:
    """Whether the embeddings start from word vectors of the encoded training `data`: never beside an
    `embeddings` file, else as `corpus_vectors` says ("auto": when the texts hold CORPUS_VECTORS_MIN_WORDS
    words or more)."""
    if training.embeddings is not None:
        return False
    if training.corpus_vectors == "auto":
        return sum(len(sequence) for sequence in data.sequences) >= CORPUS_VECTORS_MIN_WORDS
    return training.corpus_vectors == "on"


def copy_corpus_vectors(network: AttentionClassifierNetwork, sequences: Sequence[Sequence[int]], seed: int) -> int:
    """Copies word vectors of the training `sequences` into the embedding rows of the words they place
    (those seen beside another word) and returns how many were copied; the rest keep their random start."""
    weight = network.encoder.embedding.weight  # (vocabulary, embedding)
    vectors = torch.from_numpy(corpus_word_vectors(sequences, weight.shape[0], weight.shape[1], seed=seed))
    rows = vectors.abs().sum(dim=1) > 0  # (vocabulary,)
    with torch.no_grad():
        weight[rows] = vectors[rows].to(weight.device, weight.dtype)
    covered = int(rows.sum())
    _log_coverage(covered, weight.shape[0] - RESERVED_ENTRIES, "word vectors of the training texts")
    return covered


def _log_coverage(covered: int, total: int, source: str = "pretrained vectors") -> None:
    share = 100 * covered / total if total else 0.0
    logger.info("%s cover %s of %s vocabulary words (%.1f %%)", source, f"{covered:,}", f"{total:,}", share)

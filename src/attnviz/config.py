"""Every tunable number of attnviz, its default and why it is that.

Two frozen dataclasses: `ModelConfig` describes the network and its text processing and is saved
with the weights (it is all that is needed to rebuild the model); `TrainingConfig` describes how
the weights were fitted and is saved beside them for the record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from attnviz.errors import ConfigError

RNN_TYPES = ("gru", "lstm")
ATTENTION_TYPES = ("max-class", "additive", "dot", "per-class")
DEVICES = ("auto", "cpu", "cuda")
CORPUS_VECTORS = ("auto", "on", "off")
# "auto" starts the embeddings from word vectors of the training texts (training/corpus_vectors.py) when
# those hold at least this many words read. Measured (seeds 0, 1, 2; README, accuracy) on every set from
# SST-2's 0.14M words up: IMDB +1.0 points, 20 Newsgroups +3.0, SST-2 +1.0, AG News 10k +0.6, Emotion +0.4,
# SST-2's GLUE phrases -0.6 (overlapping phrases of the same sentences skew the counts). Smaller corpora
# (the demo's, about 21k words) are untested, so they keep the random start.
CORPUS_VECTORS_MIN_WORDS = 100_000


@dataclass(frozen=True)
class ModelConfig:
    """The network's architecture and text handling; saved as config.json in the model folder."""

    # Filled in from the data at fit time; 0 means "not known yet".
    vocabulary_size: int = 0
    num_classes: int = 0
    # 128-wide embeddings and 64 units per direction: the write-up's sizes; wider ones did not
    # help on the sentence sets and cost speed (see benchmarks/accuracy.py).
    embedding_size: int = 128
    hidden_size: int = 64
    layers: int = 1
    rnn: str = "gru"
    attention: str = "max-class"
    # Dropout on the embeddings (whole channels for a whole text) and on the pooled vector;
    # randomly initialised embeddings overfit small sets such as SST-2 quickly without it.
    embedding_dropout: float = 0.5
    dropout: float = 0.5
    # Longer texts are cut. 600 words keeps 93 % of IMDB reviews whole (400 kept 82 %) and gained
    # 0.7 points of IMDB accuracy over 400, for 10 % more tokens read.
    max_length: int = 600
    lowercase: bool = True
    # Words seen once are mostly typos and names: mapping them to <unk> regularises.
    min_count: int = 2
    max_vocabulary_size: int = 50_000

    def __post_init__(self) -> None:
        _check_choice("rnn", self.rnn, RNN_TYPES)
        _check_choice("attention", self.attention, ATTENTION_TYPES)
        _check_range("embedding_size", self.embedding_size, 1, 4096)
        _check_range("hidden_size", self.hidden_size, 1, 4096)
        _check_range("layers", self.layers, 1, 2)
        _check_range("max_length", self.max_length, 1, 1_000_000)
        _check_range("min_count", self.min_count, 1, 1_000_000_000)
        _check_range("max_vocabulary_size", self.max_vocabulary_size, 1, 10_000_000)
        for name in ("embedding_dropout", "dropout"):
            value = getattr(self, name)
            if not 0.0 <= value < 1.0:
                raise ConfigError(f"{name} must be at least 0 and below 1, not {value}.")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        return cls(**_known_fields(cls, data, "config.json"))


@dataclass(frozen=True)
class TrainingConfig:
    """How the weights are fitted; saved in meta.json for the record, not needed to load."""

    # An upper bound: early stopping usually ends training well before it.
    epochs: int = 20
    batch_size: int = 32
    # Chosen over 1e-3 by measurement (5 seeds on SST-2, 2-3 on the others, on a GPU): SST-2 81.8 -> 82.4,
    # IMDB 88.3 -> 89.7, AG News 87.2 -> 87.8, Emotion 93.1 -> 93.3 %. Large sets overfit after their
    # first epoch, so how far that one epoch gets matters most there.
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    # Epochs without a better validation loss before training stops; the best epoch is kept.
    patience: int = 3
    valid_fraction: float = 0.1
    # Clipping keeps the occasional exploding RNN gradient on long texts from undoing an epoch.
    gradient_clip: float = 5.0
    # Validation, early stopping and the saved model use a moving average of the weights, updated after
    # every batch with this decay (0 turns it off). Measured on SST-2 sentences over 6 seeds: 81.8 +- 0.4 %
    # against 80.1 +- 1.2 % without; small data sets overfit within an epoch or two, and the average
    # smooths out where in that epoch training happened to stop.
    weight_average: float = 0.99
    # Weight of the deletion-consistency loss (training/consistency.py), which makes per-class attention
    # rank words by what deleting them does. None: PER_CLASS_DELETION_CONSISTENCY for per-class attention,
    # 0 (off) otherwise.
    deletion_consistency: float | None = None
    seed: int = 0
    device: str = "auto"
    # A word2vec, GloVe or fastText vectors file to start the embeddings from (None: random start).
    # Only training reads it; the copied vectors are part of the saved weights.
    embeddings: str | None = None
    # Start the embeddings from word vectors computed from the training texts: "on", "off", or "auto"
    # (on when no embeddings file is given and the texts hold CORPUS_VECTORS_MIN_WORDS words or more).
    corpus_vectors: str = "auto"

    def __post_init__(self) -> None:
        _check_choice("device", self.device, DEVICES)
        _check_choice("corpus_vectors", self.corpus_vectors, CORPUS_VECTORS)
        _check_range("epochs", self.epochs, 1, 10_000)
        _check_range("batch_size", self.batch_size, 1, 1_000_000)
        _check_range("patience", self.patience, 1, 10_000)
        if not 0.0 < self.valid_fraction < 1.0:
            raise ConfigError(f"valid_fraction must be between 0 and 1, not {self.valid_fraction}.")
        if not 0.0 <= self.weight_average < 1.0:
            raise ConfigError(f"weight_average must be from 0 (off) to below 1, not {self.weight_average}.")
        if self.deletion_consistency is not None and not 0.0 <= self.deletion_consistency <= 100.0:
            raise ConfigError(f"deletion_consistency must be from 0 (off) to 100, not {self.deletion_consistency}.")
        if self.learning_rate <= 0:
            raise ConfigError(f"learning_rate must be positive, not {self.learning_rate}.")
        if hasattr(self.embeddings, "__fspath__"):  # a pathlib.Path: kept as text, for meta.json
            object.__setattr__(self, "embeddings", str(self.embeddings))
        if self.embeddings is not None and (not isinstance(self.embeddings, str) or not self.embeddings):
            raise ConfigError(f"embeddings must be the path of a word vectors file, not {self.embeddings!r}.")
        if self.embeddings is not None and self.corpus_vectors == "on":
            raise ConfigError(
                f"corpus_vectors is 'on' but embeddings names {self.embeddings}; the embeddings start from one "
                "or the other, so leave corpus_vectors out or drop embeddings."
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Chosen on SST-2 and IMDB (README, faithful attention): weight 3 kept SST-2's attention 0.0003 behind
# integrated gradients but cost IMDB 1.3 accuracy points; weight 1 left IMDB 0.6 down with attention the
# most faithful method, and SST-2 0.001 behind.
PER_CLASS_DELETION_CONSISTENCY = 1.0


def fitted_together(model: ModelConfig, training: TrainingConfig) -> TrainingConfig:
    """`training` with the settings that depend on the model filled in; refuses ones that do not fit it."""
    per_class = model.attention == "per-class"
    if training.deletion_consistency is None:
        return replace(training, deletion_consistency=PER_CLASS_DELETION_CONSISTENCY if per_class else 0.0)
    if training.deletion_consistency > 0 and not per_class:
        raise ConfigError(
            f"deletion_consistency {training.deletion_consistency} needs attention='per-class', not "
            f"{model.attention!r}; choose per-class attention or leave deletion_consistency out."
        )
    return training


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {value!r}.")


def _known_fields(cls: type, data: dict[str, Any], source: str) -> dict[str, Any]:
    names = {field.name for field in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"{source} has unknown settings {', '.join(unknown)}; it was written by a newer attnviz.")
    return {key: value for key, value in data.items() if key in names}

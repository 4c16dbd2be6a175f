"""`TextClassifier`: the object users hold. Fit on texts and labels, predict, explain, save, load."""

from __future__ import annotations

import hashlib
import logging
import os
import platform
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import numpy as np
import torch

from attnviz._version import __version__
from attnviz.checkpoint import SavedModel, load_model, save_model
from attnviz.config import ModelConfig, TrainingConfig, fitted_together
from attnviz.errors import ConfigError, DataError, NotFittedError
from attnviz.explanation import Explanation, Explanations
from attnviz.inference import encode_texts, predict_probabilities, predict_with_attention
from attnviz.metrics.classification import classification_report
from attnviz.nn.network import AttentionClassifierNetwork
from attnviz.pretrained import (
    copy_corpus_vectors,
    copy_vectors,
    read_vocabulary_vectors,
    sized_for_vectors,
    uses_corpus_vectors,
)
from attnviz.text.tokenizer import Tokenizer
from attnviz.text.vocabulary import Vocabulary
from attnviz.training.splitting import stratified_split
from attnviz.training.trainer import EncodedData, TrainingCallback, train_network

logger = logging.getLogger(__name__)
MODEL_SETTINGS = frozenset(f.name for f in fields(ModelConfig)) - {"vocabulary_size", "num_classes"}
TRAINING_SETTINGS = frozenset(f.name for f in fields(TrainingConfig))


class TextClassifier:
    """Embedding -> bidirectional RNN -> attention -> softmax text classifier.

    Settings are the fields of `ModelConfig` (embedding_size, hidden_size, layers, rnn, attention,
    dropout, max_length, ...) and `TrainingConfig` (epochs, batch_size, learning_rate, patience,
    valid_fraction, seed, device, embeddings: a word vectors file to start from, corpus_vectors:
    "auto", "on" or "off" for word vectors of the training texts, ...), given as keywords; unknown
    names are refused.
    """

    def __init__(self, **settings: Any) -> None:
        unknown = sorted(set(settings) - MODEL_SETTINGS - TRAINING_SETTINGS)
        if unknown:
            known = ", ".join(sorted(MODEL_SETTINGS | TRAINING_SETTINGS))
            raise ConfigError(f"Unknown setting {', '.join(unknown)}; the settings are: {known}.")
        self.settings = dict(settings)
        self.model_config = ModelConfig(**{k: v for k, v in settings.items() if k in MODEL_SETTINGS})
        training_config = TrainingConfig(**{k: v for k, v in settings.items() if k in TRAINING_SETTINGS})
        self.training_config = fitted_together(self.model_config, training_config)

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in self.settings.items())
        return f"TextClassifier({settings})"

    # -- training ---------------------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[Any],
        *,
        valid_texts: Sequence[str] | None = None,
        valid_labels: Sequence[Any] | None = None,
        callback: TrainingCallback | None = None,
    ) -> TextClassifier:
        """Trains on `texts` and `labels` (early stopping on the validation texts, or on a stratified
        `valid_fraction` of the training texts when none are given) and returns self."""
        texts, string_labels = _check_labelled(texts, labels, "training")
        if valid_texts is None or valid_labels is None:
            (texts, string_labels), (valid_texts, valid_string_labels) = stratified_split(
                texts, string_labels, self.training_config.valid_fraction, self.training_config.seed
            )
        else:
            valid_texts, valid_string_labels = _check_labelled(valid_texts, valid_labels, "validation")
        self.classes_ = sorted(set(string_labels))
        _check_known(valid_string_labels, self.classes_, "validation")
        self.tokenizer_ = Tokenizer(lowercase=self.model_config.lowercase)
        self.vocabulary_ = Vocabulary.build(
            (self.tokenizer_.words(text) for text in texts),
            min_count=self.model_config.min_count,
            max_size=self.model_config.max_vocabulary_size,
        )
        self.device_ = resolve_device(self.training_config.device)
        torch.manual_seed(self.training_config.seed)
        training_data = self._encode(texts, string_labels)
        with_corpus_vectors = uses_corpus_vectors(self.training_config, training_data)
        self.network_ = self._build_network(training_data.sequences if with_corpus_vectors else None).to(self.device_)
        history = train_network(
            self.network_, training_data, self._encode(valid_texts, valid_string_labels),
            self.training_config, self.device_, callback,
        )  # fmt: skip
        self.history_ = [record.to_dict() for record in history]
        self.meta_ = self._training_meta(texts, string_labels, len(valid_texts), with_corpus_vectors)
        return self

    def _build_network(self, corpus: Sequence[Sequence[int]] | None) -> AttentionClassifierNetwork:
        """A fresh network for the vocabulary and classes; its embeddings start from the pretrained
        vectors when `embeddings` names a file (whose width is the embedding_size unless one was set),
        or from word vectors of the encoded training texts `corpus` when given."""
        config = _replace(self.model_config, vocabulary_size=len(self.vocabulary_), num_classes=len(self.classes_))
        path = self.training_config.embeddings
        if path is None:
            network = AttentionClassifierNetwork(config)
            if corpus is not None:
                copy_corpus_vectors(network, corpus, seed=self.training_config.seed)
            return network
        vectors = read_vocabulary_vectors(path, self.vocabulary_, self.model_config.lowercase)
        config = sized_for_vectors(config, vectors, path, explicit="embedding_size" in self.settings)
        network = AttentionClassifierNetwork(config)
        copy_vectors(network, self.vocabulary_, vectors)
        return network

    def _encode(self, texts: Sequence[str], labels: Sequence[str]) -> EncodedData:
        encoded = encode_texts(texts, self.tokenizer_, self.vocabulary_, self.model_config.max_length)
        position = {name: index for index, name in enumerate(self.classes_)}
        return EncodedData(encoded.sequences, [position[label] for label in labels])

    def _training_meta(
        self, texts: Sequence[str], labels: Sequence[str], valid_size: int, with_corpus_vectors: bool
    ) -> dict[str, Any]:
        return {
            "attnviz_version": __version__,
            "torch_version": torch.__version__,
            "python_version": platform.python_version(),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "training_data_sha256": data_fingerprint(texts, labels),
            "training_examples": len(texts),
            "validation_examples": valid_size,
            "training": self.training_config.to_dict(),
            "corpus_vectors_used": with_corpus_vectors,
        }

    # -- using a trained model --------------------------------------------------------------------

    @property
    def classes(self) -> list[str]:
        self._check_fitted()
        return list(self.classes_)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(texts, classes) probabilities, columns in `classes_` order."""
        self._check_fitted()
        texts = _check_texts(texts)
        encoded = encode_texts(texts, self.tokenizer_, self.vocabulary_, self.network_.config.max_length)
        return predict_probabilities(self.network_, encoded.sequences, self.device_).numpy()

    def predict_proba_with_attention(self, texts: Sequence[str], weights: Sequence[Sequence[float]]) -> np.ndarray:
        """(texts, classes) probabilities with each text's attention replaced by `weights`, one per word
        read (as in its explanation's tokens): for tests of how much the output depends on attention."""
        self._check_fitted()
        texts = _check_texts(texts)
        if len(weights) != len(texts):
            raise DataError(
                f"There are {len(texts)} texts but {len(weights)} lists of weights; give one list per text."
            )
        distinct = {text: index for index, text in enumerate(dict.fromkeys(texts))}  # each read and run once
        encoded = encode_texts(list(distinct), self.tokenizer_, self.vocabulary_, self.network_.config.max_length)
        owners = [distinct[text] for text in texts]
        for position, (owner, given) in enumerate(zip(owners, weights, strict=True)):
            read = len(encoded.sequences[owner])
            if read != len(given):
                raise DataError(f"Text {position + 1} has {read} words read but {len(given)} weights.")
        return predict_with_attention(self.network_, encoded.sequences, owners, weights, self.device_).numpy()

    def predict(self, texts: Sequence[str]) -> list[str]:
        probabilities = self.predict_proba(texts)
        return [self.classes_[int(index)] for index in probabilities.argmax(axis=1)] if len(probabilities) else []

    def explain(self, texts: Sequence[str], method: str = "attention", **options: Any) -> Explanations:
        """One `Explanation` per text, in input order: the prediction and each word's weight.

        `method` is one of `attnviz.explain.METHODS`: attention (the weights the model used), gradient,
        gradient-x-input, integrated-gradients (options `steps`, `baseline`), leave-one-out, and the
        random and uniform baselines. The result is a list; in Jupyter it displays as the texts'
        heatmaps under one legend.
        """
        from attnviz.explain import explain

        self._check_fitted()
        return explain(self, _check_texts(texts), method, **options)

    def iter_explain(self, texts: Iterable[str], method: str = "attention", **options: Any) -> Iterator[Explanation]:
        """Like `explain`, but lazily: texts are read and explained a chunk at a time and each explanation
        is handed over as soon as its chunk is done, so memory stays flat however many texts there are
        (a generator, or a file's lines, works as `texts`)."""
        from attnviz.explain import iter_explain

        self._check_fitted()
        _refuse_one_string(texts)  # at once, not when the lazy check first runs
        return iter_explain(self, _checked_one_by_one(texts), method, **options)

    def evaluate(self, texts: Sequence[str], labels: Sequence[Any]) -> dict[str, Any]:
        """Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix."""
        self._check_fitted()
        texts, string_labels = _check_labelled(texts, labels, "evaluation", allow_one_class=True)
        _check_known(string_labels, self.classes_, "evaluation")
        return classification_report(string_labels, self.predict(texts), self.classes_)

    # -- persistence ------------------------------------------------------------------------------

    def save(self, folder: str | os.PathLike[str]) -> None:
        self._check_fitted()
        saved = SavedModel(self.network_, self.classes_, self.tokenizer_, self.vocabulary_, self.history_, self.meta_)
        save_model(folder, saved)

    @classmethod
    def load(cls, folder: str | os.PathLike[str], device: str = "auto") -> TextClassifier:
        resolved = resolve_device(device)
        saved = load_model(folder, resolved)
        settings = {k: v for k, v in saved.network.config.to_dict().items() if k in MODEL_SETTINGS}
        classifier = cls(**settings)
        classifier.network_, classifier.device_ = saved.network, resolved
        classifier.classes_, classifier.tokenizer_, classifier.vocabulary_ = (
            saved.labels,
            saved.tokenizer,
            saved.vocabulary,
        )
        classifier.history_, classifier.meta_ = saved.history, saved.meta
        return classifier

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            raise NotFittedError("This TextClassifier is not trained yet; call fit() or TextClassifier.load() first.")


def resolve_device(device: str) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda was asked for but PyTorch sees no CUDA GPU; use --device cpu or auto.")
    if device not in ("cpu", "cuda"):
        raise ConfigError(f"device must be auto, cpu or cuda, not {device!r}.")
    return torch.device(device)


def data_fingerprint(texts: Sequence[str], labels: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(label.encode() + b"\x1f" + text.encode() + b"\x1e")
    return digest.hexdigest()


def _replace(config: ModelConfig, **changes: Any) -> ModelConfig:
    return ModelConfig(**{**config.to_dict(), **changes})


def _check_texts(texts: Sequence[str]) -> list[str]:
    return list(_checked_one_by_one(texts))


def _refuse_one_string(texts: object) -> None:
    if isinstance(texts, str):
        raise DataError("Pass a list of texts, not a single string; wrap it as [text].")


def _checked_one_by_one(texts: Iterable[object]) -> Iterator[str]:
    _refuse_one_string(texts)
    for number, text in enumerate(texts, start=1):
        if not isinstance(text, str):
            raise DataError(f"Text number {number} is a {type(text).__name__}, not a string; pass strings.")
        yield text


def _check_labelled(
    texts: Sequence[str], labels: Sequence[Any], purpose: str, allow_one_class: bool = False
) -> tuple[list[str], list[str]]:
    texts = _check_texts(texts)
    if len(texts) != len(labels):
        raise DataError(f"There are {len(texts)} {purpose} texts but {len(labels)} labels; give one label per text.")
    if not texts:
        raise DataError(f"There are no {purpose} texts; give at least one labelled text per class.")
    string_labels = [str(label) for label in labels]
    if not allow_one_class and len(set(string_labels)) < 2:
        raise DataError(
            f"The {purpose} data has only one class ({string_labels[0]!r}); a classifier needs at least two."
        )
    return texts, string_labels


def _check_known(labels: Sequence[str], classes: Sequence[str], purpose: str) -> None:
    unknown = sorted(set(labels) - set(classes))
    if unknown:
        shown = ", ".join(repr(label) for label in unknown[:5])
        raise DataError(
            f"The {purpose} data has labels the model does not know ({shown}); its classes are {', '.join(classes)}."
        )

"""Training with `corpus_vectors`: embeddings that start from word vectors of the training texts, when
they are used, what meta.json records, and the setting's conflicts."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import torch

import attnviz.pretrained
from attnviz.classifier import TextClassifier
from attnviz.errors import ConfigError
from attnviz.training.corpus_vectors import VECTOR_STD
from tests.conftest import CUES, TINY_SETTINGS


def settings(**changes: object) -> dict[str, object]:
    return {**TINY_SETTINGS, "epochs": 1, **changes}


def starting_embeddings(corpus: tuple[list[str], list[str]], **changes: object) -> np.ndarray:
    """The embedding weights right after the network is built, before any training step."""
    model = TextClassifier(**settings(epochs=1, **changes))
    captured: list[np.ndarray] = []
    build = model._build_network

    def build_and_capture(*args: object) -> torch.nn.Module:
        network = build(*args)  # type: ignore[arg-type]
        captured.append(network.encoder.embedding.weight.detach().clone().numpy())
        return network

    model._build_network = build_and_capture  # type: ignore[method-assign]
    model.fit(*corpus)
    assert model.meta_["corpus_vectors_used"] == (changes.get("corpus_vectors") == "on")
    return captured[0]


def test_corpus_vectors_replace_the_random_start_of_the_words_they_place(
    tiny_corpus: tuple[list[str], list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="attnviz"):
        started = starting_embeddings(tiny_corpus, corpus_vectors="on")
    assert "word vectors of the training texts cover" in caplog.text
    random_start = starting_embeddings(tiny_corpus, corpus_vectors="off")
    assert np.abs(random_start).max() <= 0.05  # the random start's range
    assert not started[0].any()  # padding
    assert started[2:].std() == pytest.approx(VECTOR_STD, rel=0.05)
    assert np.abs(started[2:]).max() > 0.05


def test_auto_uses_them_only_for_large_training_texts(
    tiny_corpus: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not TextClassifier(**settings()).fit(*tiny_corpus).meta_["corpus_vectors_used"]
    monkeypatch.setattr(attnviz.pretrained, "CORPUS_VECTORS_MIN_WORDS", 100)
    assert TextClassifier(**settings()).fit(*tiny_corpus).meta_["corpus_vectors_used"]
    assert not TextClassifier(**settings(corpus_vectors="off")).fit(*tiny_corpus).meta_["corpus_vectors_used"]


def test_a_vectors_file_takes_the_place_of_corpus_vectors(
    tiny_corpus: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(attnviz.pretrained, "CORPUS_VECTORS_MIN_WORDS", 100)
    vectors = tmp_path / "vectors.txt"
    vectors.write_text("great 0.1 0.2\nawful -0.1 -0.2\n", encoding="utf-8")
    tiny = {key: value for key, value in settings().items() if key != "embedding_size"}
    model = TextClassifier(**tiny, embeddings=vectors).fit(*tiny_corpus)
    assert not model.meta_["corpus_vectors_used"]
    assert model.network_.config.embedding_size == 2


def test_corpus_vectors_on_with_a_vectors_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        TextClassifier(corpus_vectors="on", embeddings=str(tmp_path / "v.vec"))
    assert str(caught.value) == (
        f"corpus_vectors is 'on' but embeddings names {tmp_path / 'v.vec'}; the embeddings start from one or the "
        "other, so leave corpus_vectors out or drop embeddings."
    )


def test_an_unknown_corpus_vectors_setting_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"corpus_vectors must be one of auto, on, off, not 'yes'\."):
        TextClassifier(corpus_vectors="yes")


def test_a_model_trained_with_corpus_vectors_learns_the_tiny_task(tiny_corpus: tuple[list[str], list[str]]) -> None:
    model = TextClassifier(**{**TINY_SETTINGS, "corpus_vectors": "on"}).fit(*tiny_corpus)
    probes = {label: f"The meal was {words[0]}." for label, words in CUES.items()}
    assert model.predict(list(probes.values())) == list(probes)

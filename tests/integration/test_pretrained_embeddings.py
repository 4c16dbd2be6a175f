"""Training with `embeddings=FILE`: the vectors' width, the record in meta.json, and a saved model
that no longer needs the file."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from attnviz.classifier import TextClassifier
from attnviz.errors import ConfigError, DataError
from tests.conftest import CUES, TINY_SETTINGS

WIDTH = 6


def write_glove(path: Path, words: list[str]) -> Path:
    generator = np.random.default_rng(0)
    lines = [f"{word} {' '.join(f'{value:.4f}' for value in generator.normal(size=WIDTH))}" for word in words]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def vectors_file(tmp_path: Path) -> Path:
    cues = [word for words in CUES.values() for word in words]
    return write_glove(tmp_path / "glove.txt", [word.capitalize() for word in cues[:4]] + cues[4:] + ["zebra"])


def settings(**changes: object) -> dict[str, object]:
    tiny = {key: value for key, value in TINY_SETTINGS.items() if key != "embedding_size"}
    return {**tiny, "epochs": 1, **changes}


def test_fitting_with_vectors_takes_their_width_and_records_the_file(
    tiny_corpus: tuple[list[str], list[str]], vectors_file: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="attnviz"):
        model = TextClassifier(**settings(embeddings=vectors_file)).fit(*tiny_corpus)
    assert model.network_.config.embedding_size == WIDTH
    assert model.meta_["training"]["embeddings"] == str(vectors_file)
    assert "pretrained vectors cover 12 of" in caplog.text  # four capitalised cues found through lower-casing
    model.save(tmp_path / "model")
    vectors_file.unlink()
    loaded = TextClassifier.load(tmp_path / "model", device="cpu")
    assert loaded.network_.config.embedding_size == WIDTH
    assert loaded.predict(["the food was great"]) == model.predict(["the food was great"])


def test_an_explicit_embedding_size_that_differs_from_the_vectors_is_refused(
    tiny_corpus: tuple[list[str], list[str]], vectors_file: Path
) -> None:
    with pytest.raises(ConfigError) as caught:
        TextClassifier(**settings(embeddings=str(vectors_file), embedding_size=16)).fit(*tiny_corpus)
    assert "16" in str(caught.value) and str(WIDTH) in str(caught.value)
    model = TextClassifier(**settings(embeddings=str(vectors_file), embedding_size=WIDTH)).fit(*tiny_corpus)
    assert model.network_.config.embedding_size == WIDTH


def test_a_missing_vectors_file_is_a_data_error(tiny_corpus: tuple[list[str], list[str]], tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        TextClassifier(**settings(embeddings=str(tmp_path / "none.vec"))).fit(*tiny_corpus)


def test_embeddings_must_be_a_path() -> None:
    with pytest.raises(ConfigError, match="embeddings"):
        TextClassifier(embeddings=3)

"""ONNX export: onnxruntime gives PyTorch's probabilities and attention for any batch of texts."""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from click.testing import CliRunner

from attnviz import __version__
from attnviz.classifier import TextClassifier
from attnviz.cli import cli
from attnviz.config import ATTENTION_TYPES, RNN_TYPES
from attnviz.errors import DataError, ExportError
from attnviz.export import encode_for_onnx, export_onnx
from tests.conftest import TINY_SETTINGS

TOLERANCE = 1e-4
# In the tiny corpus's vocabulary, except zzz.
WORDS = ["the", "food", "was", "great", "but", "our", "room", "was", "awful", "and", "this", "film", "okay", "zzz"]


def words(count: int) -> str:
    return " ".join(itertools.islice(itertools.cycle(WORDS), count))


TEXTS = [words(count) for count in (1, 7, 50, 300)]


def run_onnx(path: Path, classifier: TextClassifier, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    token_ids, lengths = encode_for_onnx(classifier, texts)
    probabilities, attention = session.run(None, {"token_ids": token_ids, "lengths": lengths})
    return probabilities, attention


def assert_matches_pytorch(path: Path, classifier: TextClassifier, texts: list[str]) -> None:
    probabilities, attention = run_onnx(path, classifier, texts)
    assert probabilities.dtype == np.float32 and attention.dtype == np.float32
    np.testing.assert_allclose(probabilities, classifier.predict_proba(texts), rtol=0, atol=TOLERANCE)
    for row, explanation in zip(attention, classifier.explain(texts), strict=True):
        count = len(explanation.tokens)
        np.testing.assert_allclose(row[:count], [token.weight for token in explanation.tokens], rtol=0, atol=TOLERANCE)
        assert not row[count:].any()


def exported(classifier: TextClassifier, folder: Path) -> Path:
    path = folder / "model.onnx"
    export_onnx(classifier, path)
    return path


def test_onnx_equals_pytorch_on_texts_of_1_7_50_and_300_words_together_and_alone(
    classifier: TextClassifier, tmp_path: Path
) -> None:
    path = exported(classifier, tmp_path)
    assert_matches_pytorch(path, classifier, TEXTS)
    assert_matches_pytorch(path, classifier, TEXTS[::-1])
    for text in TEXTS:
        assert_matches_pytorch(path, classifier, [text])


@pytest.mark.parametrize(
    ("rnn", "attention", "layers"),
    [*((rnn, attention, 1) for rnn in RNN_TYPES for attention in ATTENTION_TYPES),
     ("gru", "per-class", 2), ("lstm", "max-class", 2), ("lstm", "additive", 2)],
)  # fmt: skip
def test_every_network_form_exports_exactly(
    rnn: str, attention: str, layers: int, tiny_corpus: tuple[list[str], list[str]], tmp_path: Path
) -> None:
    settings = {**TINY_SETTINGS, "epochs": 1, "embedding_size": 8, "hidden_size": 8}
    model = TextClassifier(**settings, rnn=rnn, attention=attention, layers=layers).fit(*tiny_corpus)
    assert_matches_pytorch(exported(model, tmp_path), model, TEXTS)


def test_an_empty_text_gets_zero_attention_and_pytorchs_probabilities(
    classifier: TextClassifier, tmp_path: Path
) -> None:
    path = exported(classifier, tmp_path)
    texts = ["", TEXTS[1], "   "]
    _, attention = run_onnx(path, classifier, texts)
    assert not attention[0].any() and not attention[2].any()
    assert_matches_pytorch(path, classifier, texts)
    assert_matches_pytorch(path, classifier, ["", ""])


def test_the_file_names_its_classes_version_and_dynamic_axes(classifier: TextClassifier, tmp_path: Path) -> None:
    model = onnx.load(str(exported(classifier, tmp_path)))
    metadata = {entry.key: entry.value for entry in model.metadata_props}
    assert json.loads(metadata["classes"]) == classifier.classes_ == ["negative", "neutral", "positive"]
    assert metadata["attnviz_version"] == __version__
    shapes = {
        value.name: [dimension.dim_param or dimension.dim_value for dimension in value.type.tensor_type.shape.dim]
        for value in [*model.graph.input, *model.graph.output]
    }
    assert shapes == {
        "token_ids": ["batch", "time"], "lengths": ["batch"],
        "probabilities": ["batch", 3], "attention": ["batch", "time"],
    }  # fmt: skip


def test_encode_for_onnx_pads_with_zero_and_refuses_a_single_string(classifier: TextClassifier) -> None:
    token_ids, lengths = encode_for_onnx(classifier, ["great", "the food was great", ""])
    assert token_ids.dtype == np.int64 and lengths.dtype == np.int64
    assert token_ids.shape == (3, 4) and lengths.tolist() == [1, 4, 0]
    assert token_ids[0, 1:].tolist() == [0, 0, 0] and not token_ids[2].any()
    with pytest.raises(DataError, match="not a single string"):
        encode_for_onnx(classifier, "great")  # type: ignore[arg-type]


def test_a_missing_onnx_package_says_how_to_install_it(
    classifier: TextClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ExportError, match=r"pip install 'attnviz\[onnx\]'"):
        export_onnx(classifier, tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_the_export_command_writes_the_file_and_says_so_in_one_line(trained_folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "tiny.onnx"
    result = CliRunner().invoke(cli, ["export", str(trained_folder), "--onnx", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("Wrote ") and str(path) in result.stderr
    assert onnx.load(str(path)).graph.output[1].name == "attention"


def test_the_export_command_refuses_a_name_without_onnx_in_one_line(trained_folder: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", str(trained_folder), "--onnx", str(tmp_path / "m.txt")])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.stderr.count("\n") == 1 and "ending in .onnx" in result.stderr

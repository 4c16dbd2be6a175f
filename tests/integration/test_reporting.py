"""Gathering a report's content from a trained model: explanations, metrics and provenance."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from attnviz.checkpoint import model_sha256
from attnviz.classifier import TextClassifier
from attnviz.errors import DataError, ModelFolderError
from attnviz.reporting import build_report, file_sha256
from attnviz.text.readers import TextDataset, read_dataset


def test_labelled_data_gets_metrics_and_provenance(
    classifier: TextClassifier, trained_folder: Path, tiny_csv: Path
) -> None:
    dataset = read_dataset(tiny_csv)
    report = build_report(classifier, dataset, trained_folder)
    assert len(report.explanations) == len(dataset.texts) == 240
    assert report.true_labels == dataset.labels and report.classes == classifier.classes_
    assert report.metrics is not None and report.metrics["accuracy"] > 0.9
    assert sum(map(sum, report.metrics["confusion_matrix"])) == 240
    assert report.provenance.data_name == "tiny.csv" and report.provenance.data_sha256 == file_sha256(tiny_csv)
    assert report.provenance.model_sha256 == model_sha256(trained_folder)
    assert report.title == "attnviz report: tiny.csv"


def test_unlabelled_data_has_no_metrics(classifier: TextClassifier, trained_folder: Path) -> None:
    dataset = TextDataset(["the food was great", "rude staff"], None, "<stdin>")
    report = build_report(classifier, dataset, trained_folder, title="Mine", scale="fixed")
    assert report.metrics is None and report.true_labels is None and report.scale == "fixed"
    assert report.provenance.data_name == "<stdin>" and len(report.provenance.data_sha256) == 64


def test_empty_data_is_refused(classifier: TextClassifier, trained_folder: Path) -> None:
    with pytest.raises(DataError, match="no texts"):
        build_report(classifier, TextDataset([], None, "empty.csv"), trained_folder)


def test_model_hash_follows_content_not_location(trained_folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere"
    shutil.copytree(trained_folder, copy)
    assert model_sha256(copy) == model_sha256(trained_folder)
    (copy / "labels.json").write_text('["negative", "neutral", "positive", "other"]')
    assert model_sha256(copy) != model_sha256(trained_folder)
    (copy / "model.safetensors").unlink()
    with pytest.raises(ModelFolderError, match=r"model\.safetensors is missing"):
        model_sha256(copy)


def test_extra_methods_explain_the_same_tokens_once_each(classifier: TextClassifier, trained_folder: Path) -> None:
    dataset = TextDataset(["the food was great", "rude staff and cold soup"], None, "<stdin>")
    methods = ("attention", "leave-one-out", "gradient", "leave-one-out")
    report = build_report(classifier, dataset, trained_folder, methods=methods)
    assert list(report.method_explanations) == ["leave-one-out", "gradient"]
    for explained in report.method_explanations.values():
        assert [[t[:3] for t in e.tokens] for e in explained] == [
            [t[:3] for t in e.tokens] for e in report.explanations
        ]
    assert build_report(classifier, dataset, trained_folder, methods=("attention",)).method_explanations == {}

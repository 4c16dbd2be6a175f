"""Gathering what a whole-dataset report shows: explanations, metrics when labelled, and provenance.

The drawing is `attnviz.render.report`'s job; this module runs the model and hashes the inputs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from attnviz._version import __version__
from attnviz.checkpoint import model_sha256
from attnviz.errors import DataError
from attnviz.explanation import Explanation
from attnviz.metrics.classification import classification_report
from attnviz.render.colors import Scale
from attnviz.render.report_model import Provenance, ReportData
from attnviz.text.readers import TextDataset

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier

logger = logging.getLogger(__name__)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes, read in blocks so large data files need little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def texts_sha256(dataset: TextDataset) -> str:
    """For data that is not a file (stdin): a hash of the texts and labels as read."""
    digest = hashlib.sha256()
    for index, text in enumerate(dataset.texts):
        label = dataset.labels[index] if dataset.labels is not None else ""
        digest.update(label.encode() + b"\x1f" + text.encode() + b"\x1e")
    return digest.hexdigest()


def _provenance(model_folder: str | os.PathLike[str], dataset: TextDataset) -> Provenance:
    source = Path(dataset.source)
    from_file = dataset.source != "<stdin>" and source.is_file()
    return Provenance(
        attnviz_version=__version__,
        model_name=Path(model_folder).name or str(model_folder),
        model_sha256=model_sha256(model_folder),
        data_name=source.name if from_file else dataset.source,
        data_sha256=file_sha256(source) if from_file else texts_sha256(dataset),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _check_labels(labels: list[str], classes: list[str]) -> None:
    unknown = sorted(set(labels) - set(classes))
    if unknown:
        shown = ", ".join(repr(label) for label in unknown[:5])
        raise DataError(
            f"The data has labels the model does not know ({shown}); the model's classes are "
            f"{', '.join(repr(c) for c in classes)}: pass the right --label-column or data for this model."
        )


def _explain_by_method(
    classifier: TextClassifier, texts: list[str], methods: Sequence[str]
) -> dict[str, Sequence[Explanation]]:
    """The texts explained by each extra method (attention, always the primary, and repeats left out)."""
    explained: dict[str, Sequence[Explanation]] = {}
    for method in dict.fromkeys(methods):
        if method == "attention":
            continue
        started = time.perf_counter()
        explained[method] = classifier.explain(texts, method=method)
        logger.info("explained %d texts by %s in %.1f s", len(texts), method, time.perf_counter() - started)
    return explained


def build_report(
    classifier: TextClassifier,
    dataset: TextDataset,
    model_folder: str | os.PathLike[str],
    *,
    title: str | None = None,
    scale: Scale = "max",
    methods: Sequence[str] = (),
) -> ReportData:
    """Explain every text of `dataset` with `classifier` (loaded from `model_folder`) for a report.

    Attention drives the report; each of `methods` besides it is shown side by side under every text.
    """
    if not dataset.texts:
        raise DataError(f"{dataset.source} has no texts to report on; pass a file with at least one text.")
    classes = list(classifier.classes_)
    labels = dataset.labels
    if labels is not None:
        _check_labels(labels, classes)
    started = time.perf_counter()
    explanations = classifier.explain(dataset.texts)
    logger.info("explained %d texts in %.1f s", len(explanations), time.perf_counter() - started)
    predicted = [explanation.label for explanation in explanations]
    metrics = classification_report(labels, predicted, classes) if labels is not None else None
    notes = [f"{dataset.skipped:,} bad rows of the data were skipped."] if dataset.skipped else []
    return ReportData(
        title=title or f"attnviz report: {Path(dataset.source).name}",
        classes=classes,
        explanations=explanations,
        true_labels=labels,
        metrics=metrics,
        provenance=_provenance(model_folder, dataset),
        scale=scale,
        notes=notes,
        method_explanations=_explain_by_method(classifier, dataset.texts, methods),
    )

"""What a whole-dataset report shows, as plain data: built by `attnviz.reporting`, drawn by `render.report`.

Torch-free like the rest of `render`, so a report can be drawn from saved explanations alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from attnviz.explanation import Explanation
from attnviz.render.colors import Scale


@dataclass(frozen=True)
class Provenance:
    """The reproducibility footer: enough to tell which model saw which data, and when."""

    attnviz_version: str
    model_name: str
    model_sha256: str
    data_name: str
    data_sha256: str
    created: str  # ISO 8601 date and time, UTC


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows.

    `true_labels` is None for unlabelled data (then there is no summary, no misclassified filter and no
    loss sort); otherwise it runs parallel to `explanations`. `metrics` is
    `attnviz.metrics.classification_report`'s dictionary (accuracy, macro_f1, per_class, classes,
    confusion_matrix with rows = true classes, columns = predicted) or None when unlabelled.
    """

    title: str
    classes: list[str]
    explanations: Sequence[Explanation]
    true_labels: Sequence[str] | None
    metrics: dict[str, Any] | None
    provenance: Provenance
    scale: Scale = "max"
    notes: list[str] = field(default_factory=list)

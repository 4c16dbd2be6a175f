"""What a whole-dataset report shows, as plain data: built by `attnviz.reporting`, drawn by `render.report`.

Torch-free like the rest of `render`, so a report can be drawn from saved explanations alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from attnviz.errors import DataError
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
    `method_explanations` maps each extra explanation method (besides attention, which drives the lexicon,
    filters and views) to its explanations of the same texts, parallel to `explanations` and with the same
    tokens; the page shows them side by side under each text.
    """

    title: str
    classes: list[str]
    explanations: Sequence[Explanation]
    true_labels: Sequence[str] | None
    metrics: dict[str, Any] | None
    provenance: Provenance
    scale: Scale = "max"
    notes: list[str] = field(default_factory=list)
    method_explanations: dict[str, Sequence[Explanation]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for method, explained in self.method_explanations.items():
            _check_parallel(method, explained, self.explanations)


def _check_parallel(method: str, explained: Sequence[Explanation], primary: Sequence[Explanation]) -> None:
    """`explained` must explain the same texts as `primary`, in order, with as many tokens each."""
    if len(explained) != len(primary):
        raise DataError(
            f"The {method} explanations cover {len(explained)} texts but the attention ones {len(primary)}; "
            "explain the same texts with every method."
        )
    for position, (other, main) in enumerate(zip(explained, primary, strict=True)):
        if other.text != main.text:
            raise DataError(
                f"The {method} explanation of example {position} is of another text than the attention one."
            )
        if len(other.tokens) != len(main.tokens):
            raise DataError(
                f"The {method} explanation of example {position} has {len(other.tokens)} tokens where attention "
                f"has {len(main.tokens)}; every method must explain the same tokens."
            )

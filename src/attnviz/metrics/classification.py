"""Accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix, from label lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def confusion_matrix(true: Sequence[str], predicted: Sequence[str], classes: Sequence[str]) -> list[list[int]]:
    """Rows are true classes, columns predicted classes, both in `classes` order."""
    position = {name: index for index, name in enumerate(classes)}
    matrix = [[0] * len(classes) for _ in classes]
    for truth, guess in zip(true, predicted, strict=True):
        matrix[position[truth]][position[guess]] += 1
    return matrix


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def classification_report(true: Sequence[str], predicted: Sequence[str], classes: Sequence[str]) -> dict[str, Any]:
    """{"accuracy", "macro_f1", "examples", "per_class": {class: {precision, recall, f1, support}},
    "classes", "confusion_matrix"}; a class never predicted has precision 0, never present recall 0."""
    matrix = confusion_matrix(true, predicted, classes)
    per_class = {}
    for index, name in enumerate(classes):
        hits = matrix[index][index]
        predicted_count = sum(row[index] for row in matrix)
        support = sum(matrix[index])
        precision, recall = _ratio(hits, predicted_count), _ratio(hits, support)
        f1 = _ratio(2 * precision * recall, precision + recall)
        per_class[name] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return {
        "accuracy": _ratio(sum(matrix[i][i] for i in range(len(classes))), len(true)),
        "macro_f1": _ratio(sum(scores["f1"] for scores in per_class.values()), len(classes)),
        "examples": len(true),
        "per_class": per_class,
        "classes": list(classes),
        "confusion_matrix": matrix,
    }

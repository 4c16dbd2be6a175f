"""Metrics as pure functions: classification quality now, explanation quality as it arrives."""

from attnviz.metrics.classification import classification_report, confusion_matrix

__all__ = ["classification_report", "confusion_matrix"]

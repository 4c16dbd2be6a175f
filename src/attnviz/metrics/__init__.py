"""Metrics as pure functions: classification quality, and how faithful and plausible explanations are.

The faithfulness metrics take any `predict_proba(texts) -> (texts, classes)` callable, so they score
other models' explanations too.
"""

from attnviz.metrics.agreement import Agreement, kendall_tau, method_agreement
from attnviz.metrics.attention import attention_entropy, permutation_test
from attnviz.metrics.classification import classification_report, confusion_matrix
from attnviz.metrics.faithfulness import (
    AOPC_FRACTIONS,
    aopc,
    comprehensiveness,
    deletion_curve,
    sufficiency,
    top_tokens,
)
from attnviz.metrics.plausibility import Plausibility, plausibility

__all__ = [
    "AOPC_FRACTIONS",
    "Agreement",
    "Plausibility",
    "aopc",
    "attention_entropy",
    "classification_report",
    "comprehensiveness",
    "confusion_matrix",
    "deletion_curve",
    "kendall_tau",
    "method_agreement",
    "permutation_test",
    "plausibility",
    "sufficiency",
    "top_tokens",
]

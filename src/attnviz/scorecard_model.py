"""What a faithfulness report card holds: plain data, so the renderer needs neither torch nor a model."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from attnviz.explanation import Explanation
from attnviz.metrics.agreement import Agreement
from attnviz.metrics.plausibility import Plausibility


class Estimate(NamedTuple):
    """A mean over examples with its 95 % bootstrap interval."""

    mean: float
    low: float
    high: float


@dataclass(frozen=True)
class MethodScores:
    method: str
    comprehensiveness_aopc: Estimate
    sufficiency_aopc: Estimate
    comprehensiveness: dict[float, float]  # mean at each AOPC fraction
    sufficiency: dict[float, float]
    deletion_curve: list[float]  # mean p(predicted) with the top fraction of words removed
    seconds: float  # time to explain the examples
    agreement_with_attention: Agreement | None = None
    plausibility: Plausibility | None = None
    extra: dict[str, float] = field(default_factory=dict)  # method-specific figures, e.g. IG's completeness


@dataclass(frozen=True)
class DeletionCheck:
    removed: list[str]  # the top attended words, dropped from the text
    label: str  # the prediction without them
    probability: float  # of the originally predicted class, without them


@dataclass(frozen=True)
class Disagreement:
    """One example where attention ranks the words least like the other methods do."""

    index: int
    tau: float  # mean Kendall tau between attention and the other methods on this text
    true_label: str | None
    deletion: DeletionCheck


@dataclass(frozen=True)
class Scorecard:
    title: str
    examples: int
    accuracy: float | None
    methods: dict[str, MethodScores]
    # The Jain & Wallace comparison: attention against gradients with attention detached, and leave-one-out.
    jain_wallace: dict[str, Agreement]
    attention: dict[str, float]  # entropy and the permutation test's median output change
    disagreements: list[Disagreement]
    aopc_fractions: tuple[float, ...]
    deletion_fractions: tuple[float, ...]
    footer: dict[str, str]  # versions, model hash, date
    explanations: dict[str, list[Explanation]]  # per method, every text's explanation (not in the JSON)

    def to_json(self) -> dict[str, Any]:
        """The figures (no examples): `{"accuracy", "examples", "methods": {name: {...}}, ...}`."""
        figures: dict[str, Any] = _finite(
            {
                "accuracy": self.accuracy,
                "examples": self.examples,
                "methods": {name: _method_json(scores) for name, scores in self.methods.items()},
                "jain_wallace": {name: _agreement_json(value) for name, value in self.jain_wallace.items()},
                "attention": dict(self.attention),
                "aopc_fractions": list(self.aopc_fractions),
                "deletion_fractions": list(self.deletion_fractions),
                **self.footer,
            }
        )
        return figures


def _method_json(scores: MethodScores) -> dict[str, Any]:
    result: dict[str, Any] = {
        "comprehensiveness_aopc": scores.comprehensiveness_aopc.mean,
        "comprehensiveness_aopc_ci": [scores.comprehensiveness_aopc.low, scores.comprehensiveness_aopc.high],
        "sufficiency_aopc": scores.sufficiency_aopc.mean,
        "sufficiency_aopc_ci": [scores.sufficiency_aopc.low, scores.sufficiency_aopc.high],
        "comprehensiveness": {str(k): v for k, v in scores.comprehensiveness.items()},
        "sufficiency": {str(k): v for k, v in scores.sufficiency.items()},
        "deletion_curve": list(scores.deletion_curve),
        "seconds": scores.seconds,
        **scores.extra,
    }
    if scores.agreement_with_attention is not None:
        result["kendall_tau_with_attention"] = _agreement_json(scores.agreement_with_attention)
    if scores.plausibility is not None:
        plausible = scores.plausibility
        result["plausibility"] = {
            "token_precision": plausible.token_precision,
            "token_recall": plausible.token_recall,
            "token_f1": plausible.token_f1,
            "iou_f1": plausible.iou_f1,
            "auprc": plausible.auprc,
            "examples": plausible.examples,
        }
    return result


def _agreement_json(agreement: Agreement) -> dict[str, Any]:
    return {
        "mean": agreement.mean,
        "std": agreement.std,
        "significant_fraction": agreement.significant_fraction,
        "examples": agreement.examples,
    }


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity (browsers' JSON.parse rejects Python's): undefined figures become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value

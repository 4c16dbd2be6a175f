"""A faithfulness report card: every explanation method on one data set, scored against the model.

Runs the methods and the metrics; `attnviz.render.scorecard` draws the result and
`Scorecard.to_json` gives its figures.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import torch

from attnviz._version import __version__
from attnviz.errors import ConfigError
from attnviz.explain import METHODS
from attnviz.explanation import Explanation
from attnviz.metrics.agreement import Agreement, method_agreement
from attnviz.metrics.attention import attention_entropy, permutation_test
from attnviz.metrics.faithfulness import (
    AOPC_FRACTIONS,
    comprehensiveness,
    deletion_curve,
    memoised,
    sufficiency,
    top_tokens,
    without_tokens,
)
from attnviz.metrics.plausibility import plausibility
from attnviz.scorecard_model import DeletionCheck, Disagreement, Estimate, MethodScores, Scorecard

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier

logger = logging.getLogger(__name__)

DEFAULT_METHODS = tuple(METHODS)
BASELINES = frozenset({"random", "uniform"})
DELETION_FRACTIONS = tuple(step / 10 for step in range(11))
CHECK_FRACTION = 0.2  # the inline deletion check drops this fraction of the top attended words
RESAMPLES = 1000


def build_scorecard(
    classifier: TextClassifier,
    texts: Sequence[str],
    labels: Sequence[str] | None = None,
    *,
    methods: Sequence[str] = DEFAULT_METHODS,
    rationales: Sequence[Sequence[tuple[int, int]]] | None = None,
    title: str = "attnviz faithfulness report",
    footer: dict[str, str] | None = None,
    shown: int = 8,
    permutations: int = 100,
    seed: int = 0,
) -> Scorecard:
    """Explain `texts` with every method (attention always among them) and score each one."""
    chosen = _check_methods(methods)
    explained, seconds = {}, {}
    for method in chosen:
        started = time.perf_counter()
        explained[method] = list(classifier.explain(texts, method=method))
        seconds[method] = time.perf_counter() - started
        logger.info("explained %d texts by %s in %.1f s", len(texts), method, seconds[method])
    attention = explained["attention"]
    scores = {
        method: _score(classifier, method, explained[method], attention, seconds[method], rationales, seed)
        for method in chosen
    }
    return Scorecard(
        title=title,
        examples=len(texts),
        accuracy=_accuracy(attention, labels),
        methods=scores,
        jain_wallace=_jain_wallace(classifier, texts, explained),
        attention=_attention_figures(classifier, attention, permutations, seed),
        disagreements=_disagreements(classifier, scores, attention, labels, shown),
        aopc_fractions=AOPC_FRACTIONS,
        deletion_fractions=DELETION_FRACTIONS,
        footer=footer or default_footer(),
        explanations=explained,
    )


def _check_methods(methods: Sequence[str]) -> list[str]:
    unknown = [method for method in methods if method not in METHODS]
    if unknown:
        raise ConfigError(f"Unknown explanation method {unknown[0]!r}; choose from {', '.join(METHODS)}.")
    return ["attention", *dict.fromkeys(method for method in methods if method != "attention")]


def bootstrap(values: np.ndarray, seed: int = 0, resamples: int = RESAMPLES) -> Estimate:
    """The mean of `values` and the 2.5th and 97.5th percentiles of the means of resamples."""
    if len(values) == 0:
        return Estimate(math.nan, math.nan, math.nan)
    generator = np.random.default_rng(seed)
    means = values[generator.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return Estimate(float(values.mean()), float(low), float(high))


def _score(
    classifier: TextClassifier,
    method: str,
    explanations: list[Explanation],
    attention: list[Explanation],
    seconds: float,
    rationales: Sequence[Sequence[tuple[int, int]]] | None,
    seed: int,
) -> MethodScores:
    predict = memoised(classifier.predict_proba)  # this method's texts only: they hold no other's
    kept = {f: comprehensiveness(predict, explanations, f) for f in AOPC_FRACTIONS}  # per fraction, per example
    alone = {f: sufficiency(predict, explanations, f) for f in AOPC_FRACTIONS}
    curve = deletion_curve(predict, explanations, DELETION_FRACTIONS)  # (examples, fractions)
    return MethodScores(
        method=method,
        comprehensiveness_aopc=bootstrap(np.mean(list(kept.values()), axis=0), seed),
        sufficiency_aopc=bootstrap(np.mean(list(alone.values()), axis=0), seed),
        comprehensiveness={f: float(values.mean()) for f, values in kept.items()},
        sufficiency={f: float(values.mean()) for f, values in alone.items()},
        deletion_curve=curve.mean(axis=0).tolist() if len(explanations) else [],
        seconds=seconds,
        agreement_with_attention=None if method == "attention" else method_agreement(attention, explanations),
        plausibility=plausibility(explanations, rationales) if rationales is not None else None,
    )


def _accuracy(attention: list[Explanation], labels: Sequence[str] | None) -> float | None:
    if labels is None or not attention:
        return None
    return sum(e.label == label for e, label in zip(attention, labels, strict=True)) / len(attention)


def _jain_wallace(
    classifier: TextClassifier, texts: Sequence[str], explained: dict[str, list[Explanation]]
) -> dict[str, Agreement]:
    detached = list(classifier.explain(texts, method="gradient", detach_attention=True))
    leave_one_out = explained.get("leave-one-out") or list(classifier.explain(texts, method="leave-one-out"))
    attention = explained["attention"]
    return {
        "gradient (attention detached)": method_agreement(attention, detached),
        "leave-one-out": method_agreement(attention, leave_one_out),
    }


def _attention_figures(
    classifier: TextClassifier, attention: list[Explanation], permutations: int, seed: int
) -> dict[str, float]:
    changes = permutation_test(classifier.predict_proba_with_attention, attention, permutations, seed)
    lengths = np.array([max(len(e.tokens), 1) for e in attention], dtype=float)
    entropy = attention_entropy(attention)
    return {
        "entropy_mean": float(entropy.mean()) if len(entropy) else math.nan,
        "entropy_of_uniform_mean": float(np.log(lengths).mean()) if len(lengths) else math.nan,
        "permutation_median_change": float(np.median(changes)) if len(changes) else math.nan,
    }


def _disagreements(
    classifier: TextClassifier,
    scores: dict[str, MethodScores],
    attention: list[Explanation],
    labels: Sequence[str] | None,
    shown: int,
) -> list[Disagreement]:
    """The texts whose attention ranks the words least like the other (non-baseline) methods, by the
    mean of the per-text Kendall taus the method scores already hold."""
    per_method = [
        s.agreement_with_attention.taus for name, s in scores.items()
        if s.agreement_with_attention is not None and name not in BASELINES
    ]  # fmt: skip
    taus = []
    for index in range(len(attention)):
        defined = [taus_of[index] for taus_of in per_method if not math.isnan(taus_of[index])]
        if defined:
            taus.append((float(np.mean(defined)), index))
    picked = sorted(taus)[:shown]
    checks = _deletion_checks(classifier, [attention[index] for _, index in picked])
    return [
        Disagreement(index=index, tau=tau, true_label=labels[index] if labels is not None else None, deletion=check)
        for (tau, index), check in zip(picked, checks, strict=True)
    ]


def _deletion_checks(classifier: TextClassifier, explanations: list[Explanation]) -> list[DeletionCheck]:
    removed = [top_tokens(e, CHECK_FRACTION) for e in explanations]
    shortened = [without_tokens(e, positions) for e, positions in zip(explanations, removed, strict=True)]
    probabilities = classifier.predict_proba(shortened) if shortened else np.zeros((0, 0))
    checks = []
    for explanation, positions, row in zip(explanations, removed, probabilities, strict=True):
        column = classifier.classes_.index(explanation.label)
        words = [explanation.tokens[p].text for p in positions]
        checks.append(DeletionCheck(words, classifier.classes_[int(row.argmax())], float(row[column])))
    return checks


def default_footer() -> dict[str, str]:
    return {
        "attnviz_version": __version__,
        "torch_version": torch.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }

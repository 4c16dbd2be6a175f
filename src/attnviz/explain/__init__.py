"""Explanation methods: one module each, one signature `(classifier, texts) -> list[Explanation]`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from attnviz.errors import ConfigError
from attnviz.explain.attention import explain_attention
from attnviz.explanation import Explanation, Explanations, TokenWeight

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier

ExplainMethod = Callable[["TextClassifier", Sequence[str]], list[Explanation]]

METHODS: dict[str, ExplainMethod] = {"attention": explain_attention}


def explain(classifier: TextClassifier, texts: Sequence[str], method: str = "attention") -> Explanations:
    """One explanation per text by `method`, as a list that notebooks draw as one block."""
    if method not in METHODS:
        raise ConfigError(f"Unknown explanation method {method!r}; choose one of {', '.join(METHODS)}.")
    return Explanations(METHODS[method](classifier, texts))


__all__ = ["METHODS", "ExplainMethod", "Explanation", "Explanations", "TokenWeight", "explain"]

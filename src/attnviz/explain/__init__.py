"""Explanation methods: one module each, one signature `(classifier, texts, **options) -> list[Explanation]`.

Each method checks its own options; the weights of every method are one number per word read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from attnviz.errors import ConfigError
from attnviz.explain.attention import explain_attention, iter_attention
from attnviz.explain.baselines import explain_random, explain_uniform
from attnviz.explain.common import check_options
from attnviz.explain.gradient import explain_gradient, explain_gradient_x_input
from attnviz.explain.integrated_gradients import explain_integrated_gradients
from attnviz.explain.leave_one_out import explain_leave_one_out
from attnviz.explanation import METHOD_NAMES, SIGNED_METHODS, Explanation, Explanations, TokenWeight
from attnviz.inference import text_chunks

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier

ExplainMethod = Callable[..., list[Explanation]]

METHODS: dict[str, ExplainMethod] = {
    "attention": explain_attention,
    "gradient": explain_gradient,
    "gradient-x-input": explain_gradient_x_input,
    "integrated-gradients": explain_integrated_gradients,
    "leave-one-out": explain_leave_one_out,
    "random": explain_random,
    "uniform": explain_uniform,
}
assert tuple(METHODS) == METHOD_NAMES


def explain(
    classifier: TextClassifier, texts: Sequence[str], method: str = "attention", **options: Any
) -> Explanations:
    """One explanation per text by `method`, as a list that notebooks draw as one block."""
    if method not in METHODS:
        raise ConfigError(f"Unknown explanation method {method!r}; choose one of {', '.join(METHODS)}.")
    return Explanations(METHODS[method](classifier, texts, **options))


def iter_explain(
    classifier: TextClassifier, texts: Iterable[str], method: str = "attention", **options: Any
) -> Iterator[Explanation]:
    """Explanations of `texts` in input order, a chunk at a time (`inference.text_chunks`), reading `texts`
    lazily: for files too large to hold every explanation at once. Bad options are refused here, before
    any work."""
    if method not in METHODS:
        raise ConfigError(f"Unknown explanation method {method!r}; choose one of {', '.join(METHODS)}.")
    if method == "attention":  # its own pipeline overlaps reading, the network and building
        check_options("attention", options, ())
        return iter_attention(classifier, texts)
    METHODS[method](classifier, [], **options)  # checks the options on no texts: no work done
    return _chunk_by_chunk(classifier, texts, METHODS[method], options)


def _chunk_by_chunk(
    classifier: TextClassifier, texts: Iterable[str], method: ExplainMethod, options: dict[str, Any]
) -> Iterator[Explanation]:
    for chunk in text_chunks(texts):
        yield from method(classifier, chunk, **options)


__all__ = [
    "METHODS", "SIGNED_METHODS", "ExplainMethod", "Explanation", "Explanations", "TokenWeight",
    "explain", "iter_explain",
]  # fmt: skip

"""Reference points for the faithfulness metrics: random weights, and the same weight for every word.

A method is worth reading only where it beats these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from attnviz.errors import ConfigError
from attnviz.explain.common import build_explanation, check_options, read_texts
from attnviz.explanation import Explanation

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier


def explain_random(classifier: TextClassifier, texts: Sequence[str], **options: Any) -> list[Explanation]:
    """Weights drawn uniformly and scaled to sum to 1 per text; option `seed` (default 0) repeats them."""
    check_options("random", options, ("seed",))
    seed = options.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"The random method's seed must be a whole number of at least 0, not {seed!r}.")
    generator = np.random.default_rng(seed)
    read = read_texts(classifier, texts)
    explanations = []
    for index, tokens in enumerate(read.encoded.tokens):
        draws = generator.random(len(tokens))
        weights = (draws / draws.sum()).tolist() if len(tokens) else []
        explanations.append(build_explanation(classifier, read, index, weights, "random"))
    return explanations


def explain_uniform(classifier: TextClassifier, texts: Sequence[str], **options: Any) -> list[Explanation]:
    """Every word read gets 1 / n."""
    check_options("uniform", options, ())
    read = read_texts(classifier, texts)
    return [
        build_explanation(classifier, read, index, [1.0 / max(len(tokens), 1)] * len(tokens), "uniform")
        for index, tokens in enumerate(read.encoded.tokens)
    ]

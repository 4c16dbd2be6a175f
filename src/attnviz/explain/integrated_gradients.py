"""Integrated gradients (Sundararajan et al. 2017) on the word embeddings, all steps of a text in one batch.

Attribution of word t: (x_t - x'_t) . mean over steps of d logit[predicted] / d x_t, the gradients taken at
the midpoints of `steps` equal pieces of the straight path from the baseline x' to the input x. The
attributions add up to logit(x) - logit(x') up to the error of that sum; the error is logged, and
`integrated_gradients` returns it per text so reports can show it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch

from attnviz.errors import ConfigError
from attnviz.explain.common import batches, build_explanation, check_options, read_texts
from attnviz.explain.gradient import target_gradient
from attnviz.explanation import Explanation
from attnviz.nn.network import AttentionClassifierNetwork
from attnviz.text.vocabulary import UNKNOWN_INDEX
from attnviz.training.batching import Batch

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier

logger = logging.getLogger(__name__)

DEFAULT_STEPS = 32
BASELINES = ("zero", "unknown")  # all-zero embeddings (the padding vector), or every word unknown
ROWS_PER_PASS = 512  # interpolated texts per forward and backward pass...
TOKENS_PER_PASS = 16_384  # ...and padded tokens of them, which bounds the memory for long texts


def explain_integrated_gradients(classifier: TextClassifier, texts: Sequence[str], **options: Any) -> list[Explanation]:
    """Signed weights; options `steps` (default 32) and `baseline` ("zero" or "unknown")."""
    check_options("integrated-gradients", options, ("steps", "baseline"))
    explanations, errors = integrated_gradients(classifier, texts, **options)
    if errors:
        logger.info(
            "integrated gradients: completeness error mean %.2g, largest %.2g", sum(errors) / len(errors), max(errors)
        )
    return explanations


def integrated_gradients(
    classifier: TextClassifier, texts: Sequence[str], steps: int = DEFAULT_STEPS, baseline: str = "zero"
) -> tuple[list[Explanation], list[float]]:
    """The explanations and, per text, |sum of attributions - (logit(x) - logit(x'))|."""
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 4096:
        raise ConfigError(f"Integrated gradients need steps from 1 to 4096, not {steps!r}.")
    if baseline not in BASELINES:
        raise ConfigError(f"Integrated gradients' baseline must be one of {', '.join(BASELINES)}, not {baseline!r}.")
    network = classifier.network_
    network.eval()
    read = read_texts(classifier, texts)
    weights: list[list[float]] = [[] for _ in texts]
    errors = [0.0] * len(texts)
    for batch in batches(read, max(1, ROWS_PER_PASS // steps), max_tokens=max(1, TOKENS_PER_PASS // steps)):
        targets = read.predicted[batch.indices].to(classifier.device_)
        attributions, gaps = _attribute(network, batch, targets, steps, baseline)  # (batch, time), (batch,)
        for row, index in enumerate(batch.indices):
            weights[index] = attributions[row, : int(batch.lengths[row])].tolist()
            errors[index] = abs(sum(weights[index]) - float(gaps[row]))
    method = "integrated-gradients"
    explanations = [build_explanation(classifier, read, index, weights[index], method) for index in range(len(texts))]
    return explanations, errors


def _attribute(
    network: AttentionClassifierNetwork, batch: Batch, targets: torch.Tensor, steps: int, baseline: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Attributions (batch, time) and logit(x) - logit(x') (batch,) for one batch, every step at once."""
    token_ids = batch.token_ids.to(targets.device)
    embedded = network.encoder.embedding(token_ids).detach()  # (batch, time, embedding)
    start = _baseline(network.encoder.embedding, token_ids, baseline)  # (batch, time, embedding)
    fractions = (torch.arange(steps, device=targets.device) + 0.5) / steps  # (steps,) midpoints of the path
    path = start[:, None] + fractions[:, None, None] * (embedded - start)[:, None]  # (batch, steps, time, embedding)
    gradient = target_gradient(network, batch, path.flatten(0, 1), targets)  # (batch * steps, time, embedding)
    mean_gradient = gradient.view(path.shape).mean(dim=1)  # (batch, time, embedding)
    attributions = ((embedded - start) * mean_gradient).sum(dim=-1)  # (batch, time)
    with torch.no_grad():
        logits = network(token_ids.repeat(2, 1), batch.lengths.repeat(2), embedded=torch.cat((embedded, start)))
    assert isinstance(logits, torch.Tensor)
    picked = logits.gather(1, targets.repeat(2)[:, None]).squeeze(1)  # (2 * batch,): input rows, then baseline rows
    return attributions, picked[: len(targets)] - picked[len(targets) :]


def _baseline(embedding: torch.nn.Embedding, token_ids: torch.Tensor, baseline: str) -> torch.Tensor:
    if baseline == "zero":
        return torch.zeros(*token_ids.shape, embedding.embedding_dim, device=token_ids.device)
    unknown = embedding.weight[UNKNOWN_INDEX].detach()  # (embedding,)
    return unknown.expand(*token_ids.shape, -1) * (token_ids != 0)[..., None]

"""Gradient attributions on the word embeddings: the gradient's norm, and gradient x input.

Both differentiate the logit of the predicted class (probabilities saturate near 0 and 1, which would
flatten every confident prediction's gradients) with dropout off, one batch of texts at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch

from attnviz.explain.common import (
    batches,
    build_explanation,
    check_options,
    gradients_through_rnn,
    read_texts,
)
from attnviz.explanation import Explanation
from attnviz.nn.network import AttentionClassifierNetwork
from attnviz.training.batching import Batch

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier

BATCH_SIZE = 64
OPTIONS = ("detach_attention",)


def explain_gradient(classifier: TextClassifier, texts: Sequence[str], **options: Any) -> list[Explanation]:
    """Each word's weight is the L2 norm of the gradient on its embedding (unsigned).

    `detach_attention=True` stops the gradient at the attention weights, as Jain & Wallace (2019) compute
    the gradients they compare attention with.
    """
    check_options("gradient", options, OPTIONS)
    return _explain(classifier, texts, "gradient", bool(options.get("detach_attention", False)))


def explain_gradient_x_input(classifier: TextClassifier, texts: Sequence[str], **options: Any) -> list[Explanation]:
    """Each word's weight is the dot product of its embedding and the gradient on it (signed)."""
    check_options("gradient-x-input", options, OPTIONS)
    return _explain(classifier, texts, "gradient-x-input", bool(options.get("detach_attention", False)))


def _explain(
    classifier: TextClassifier, texts: Sequence[str], method: str, detach_attention: bool
) -> list[Explanation]:
    network, device = classifier.network_, classifier.device_
    network.eval()
    read = read_texts(classifier, texts)
    weights: list[list[float]] = [[] for _ in texts]
    for batch in batches(read, BATCH_SIZE):
        embedded = network.encoder.embedding(batch.token_ids.to(device)).detach()  # (batch, time, embedding)
        targets = read.predicted[batch.indices].to(device)  # (batch,)
        gradient = target_gradient(network, batch, embedded, targets, detach_attention)
        scores = gradient.norm(dim=-1) if method == "gradient" else (gradient * embedded).sum(dim=-1)
        for row, index in enumerate(batch.indices):
            weights[index] = scores[row, : int(batch.lengths[row])].tolist()
    return [build_explanation(classifier, read, index, weights[index], method) for index in range(len(texts))]


def target_gradient(
    network: AttentionClassifierNetwork,
    batch: Batch,
    embedded: torch.Tensor,  # (rows, time, embedding)
    targets: torch.Tensor,  # (texts,): the class to differentiate, per text of `batch`
    detach_attention: bool = False,
) -> torch.Tensor:
    """d logit[target] / d embedded for every row at once (rows do not interact), (rows, time, embedding).

    `embedded` may have several rows per text of `batch` (integrated gradients' steps, text by text):
    ids, lengths and targets are repeated to match.
    """
    repeats = embedded.shape[0] // len(batch.indices)
    token_ids = batch.token_ids.repeat_interleave(repeats, dim=0).to(embedded.device)
    lengths = batch.lengths.repeat_interleave(repeats, dim=0)
    with gradients_through_rnn(embedded.device):
        inputs = embedded.detach().requires_grad_(True)
        logits = network(token_ids, lengths, embedded=inputs, detach_attention=detach_attention)
        assert isinstance(logits, torch.Tensor)
        selected = logits.gather(1, targets.repeat_interleave(repeats)[:, None]).sum()
        (gradient,) = torch.autograd.grad(selected, inputs)
    return gradient

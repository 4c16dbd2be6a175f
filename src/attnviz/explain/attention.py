"""Attention as the explanation: the weights the model actually used, and each class's own view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch

from attnviz.explanation import Explanation, TokenWeight
from attnviz.inference import encode_texts, run_batches
from attnviz.nn.attention import masked_softmax

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier


def explain_attention(classifier: TextClassifier, texts: Sequence[str]) -> list[Explanation]:
    network, device = classifier.network_, classifier.device_
    encoded = encode_texts(texts, classifier.tokenizer_, classifier.vocabulary_, network.config.max_length)
    results: list[Explanation | None] = [None] * len(texts)
    for batch, output in run_batches(network, encoded.sequences, device):
        mask = torch.arange(batch.token_ids.shape[1]) < batch.lengths[:, None]  # (batch, time)
        probabilities = output.logits.float().softmax(-1).cpu()  # (batch, classes)
        weights = output.weights.cpu()  # (batch, time)
        # Each class's own attention: its scores alone through the same masked softmax.
        class_weights = masked_softmax(output.class_scores.cpu().transpose(1, 2), mask[:, None, :])
        for row, index in enumerate(batch.indices):
            results[index] = _build(
                classifier, texts[index], encoded.tokens[index], encoded.truncated[index],
                probabilities[row], weights[row], class_weights[row],
            )  # fmt: skip
    return [explanation for explanation in results if explanation is not None]


def _build(
    classifier: TextClassifier,
    text: str,
    tokens: Sequence[tuple[str, int, int]],
    truncated: bool,
    probabilities: torch.Tensor,  # (classes,)
    weights: torch.Tensor,  # (time,)
    class_weights: torch.Tensor,  # (classes, time)
) -> Explanation:
    classes = classifier.classes_
    per_class = class_weights[:, : len(tokens)].T.tolist()  # (tokens, classes)
    token_weights = [
        TokenWeight(surface, start, end, weight, dict(zip(classes, per_class[position], strict=True)))
        for position, ((surface, start, end), weight) in enumerate(
            zip(tokens, weights[: len(tokens)].tolist(), strict=True)
        )
    ]
    return Explanation(
        text=text,
        label=classes[int(probabilities.argmax())],
        probabilities=dict(zip(classes, probabilities.tolist(), strict=True)),
        tokens=token_weights,
        truncated=truncated,
        method="attention",
    )

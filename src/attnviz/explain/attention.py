"""Attention as the explanation: the weights the model actually used, and each class's own view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch

from attnviz.explain.common import check_options
from attnviz.explanation import Explanation, TokenWeight
from attnviz.inference import attention_chunks

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier


def explain_attention(classifier: TextClassifier, texts: Sequence[str], **options: Any) -> list[Explanation]:
    check_options("attention", options, ())
    network, device = classifier.network_, classifier.device_
    results: list[Explanation | None] = [None] * len(texts)
    for chunk in attention_chunks(network, texts, classifier.tokenizer_, classifier.vocabulary_, device):
        encoded = chunk.encoded
        for batch in chunk.batches:
            for row, index in enumerate(batch.indices):
                results[chunk.start + index] = _build(
                    classifier, texts[chunk.start + index], encoded.tokens[index], encoded.truncated[index],
                    batch.probabilities[row], batch.weights[row], batch.class_weights[row],
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
    count = len(tokens)
    per_class = class_weights[:, :count].T.tolist()  # (tokens, classes)
    token_weights = [
        TokenWeight(surface, start, end, weight, dict(zip(classes, row, strict=True)))
        for (surface, start, end), weight, row in zip(tokens, weights[:count].tolist(), per_class, strict=True)
    ]
    return Explanation(
        text=text,
        label=classes[int(probabilities.argmax())],
        probabilities=dict(zip(classes, probabilities.tolist(), strict=True)),
        tokens=token_weights,
        truncated=truncated,
        method="attention",
    )

"""Attention as the explanation: the weights the model actually used, and each class's own view."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any

from attnviz.explain.common import check_options, collection_paused
from attnviz.explanation import Explanation, TokenWeight
from attnviz.inference import AttentionChunk, BatchAttention, attention_chunks

_new_tuple = tuple.__new__

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier


def explain_attention(classifier: TextClassifier, texts: Sequence[str], **options: Any) -> list[Explanation]:
    check_options("attention", options, ())
    with collection_paused():
        return list(iter_attention(classifier, texts))


def iter_attention(classifier: TextClassifier, texts: Iterable[str]) -> Iterator[Explanation]:
    """The attention explanations of `texts` in input order, produced chunk by chunk as `texts` is read."""
    network, device = classifier.network_, classifier.device_
    for chunk in attention_chunks(network, texts, classifier.tokenizer_, classifier.vocabulary_, device):
        results: list[Explanation | None] = [None] * len(chunk.texts)
        with collection_paused():  # only while building: the caller's code never runs with it paused
            for batch in chunk.batches:
                _build_batch(classifier.classes_, chunk, batch, results)
        yield from (explanation for explanation in results if explanation is not None)


def _build_batch(
    classes: list[str], chunk: AttentionChunk, batch: BatchAttention, results: list[Explanation | None]
) -> None:
    # Whole-batch conversions to Python lists: one per tensor instead of several per text.
    probabilities = batch.probabilities.tolist()  # (batch, classes)
    predicted = batch.probabilities.argmax(dim=-1).tolist()  # (batch,)
    weights = batch.weights.tolist()  # (batch, time)
    per_class = batch.class_weights.transpose(1, 2).tolist()  # (batch, time, classes)
    for row, index in enumerate(batch.indices):
        # All in C iterators, no Python frame per token (SST-2 test sentences: 56 -> 45 ms): each token's
        # (text, start, end) plus (weight, class weights), made a TokenWeight by `tuple.__new__`, which
        # spares the named tuple's Python-level constructor. The weight rows are padded to the batch's
        # longest text; `map` stops at its shortest input, this text's own tokens.
        class_weights = map(dict, map(zip, repeat(classes), per_class[row]))
        weighted = map(tuple.__add__, chunk.encoded.tokens[index], zip(weights[row], class_weights, strict=False))
        token_weights = list(map(_new_tuple, repeat(TokenWeight), weighted))
        results[index] = Explanation(
            text=chunk.texts[index],
            label=classes[predicted[row]],
            probabilities=dict(zip(classes, probabilities[row], strict=True)),
            tokens=token_weights,
            truncated=chunk.encoded.truncated[index],
            method="attention",
        )

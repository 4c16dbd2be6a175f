"""What every explanation method shares: reading texts as the model does, and building `Explanation`s."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from attnviz.errors import ConfigError
from attnviz.explanation import Explanation, TokenWeight
from attnviz.inference import EncodedTexts, encode_texts, predict_probabilities
from attnviz.training.batching import Batch, iterate_batches, sorted_order

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier


@dataclass(frozen=True)
class ReadTexts:
    """Texts as the model read them, with its predictions: what every method starts from."""

    texts: Sequence[str]
    encoded: EncodedTexts
    probabilities: torch.Tensor  # (texts, classes), input order

    @property
    def predicted(self) -> torch.Tensor:  # (texts,) the class each explanation explains
        return self.probabilities.argmax(dim=1)


def read_texts(classifier: TextClassifier, texts: Sequence[str]) -> ReadTexts:
    network = classifier.network_
    encoded = encode_texts(texts, classifier.tokenizer_, classifier.vocabulary_, network.config.max_length)
    return ReadTexts(texts, encoded, predict_probabilities(network, encoded.sequences, classifier.device_))


def batches(read: ReadTexts, batch_size: int, max_tokens: int | None = None) -> Iterator[Batch]:
    """Batches of similar length, at most `batch_size` texts and `max_tokens` padded tokens (but at
    least one text) each, the shortest first; `Batch.indices` are positions in the input."""
    sequences = read.encoded.sequences
    order = sorted_order([len(sequence) for sequence in sequences], batch_size, max_tokens)
    yield from iterate_batches([group[::-1] for group in reversed(order)], sequences)


def build_explanation(
    classifier: TextClassifier,
    read: ReadTexts,
    index: int,
    weights: Sequence[float],
    method: str,
) -> Explanation:
    """The `Explanation` of text `index` from one weight per token read (no per-class weights)."""
    classes = classifier.classes_
    tokens = read.encoded.tokens[index]
    assert len(weights) == len(tokens)
    probabilities = read.probabilities[index]
    return Explanation(
        text=read.texts[index],
        label=classes[int(probabilities.argmax())],
        probabilities=dict(zip(classes, probabilities.tolist(), strict=True)),
        tokens=[
            TokenWeight(token.text, token.start, token.end, float(weight))
            for token, weight in zip(tokens, weights, strict=True)
        ],
        truncated=read.encoded.truncated[index],
        method=method,
    )


def check_options(method: str, options: Mapping[str, Any], allowed: Sequence[str]) -> None:
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        accepted = f"it accepts {', '.join(allowed)}" if allowed else "it takes none"
        raise ConfigError(f"The {method} method has no option {', '.join(unknown)}; {accepted}.")


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while many explanations are built, as it was afterwards.

    Building them allocates millions of small tuples and dicts and none of them form cycles, yet each
    700 allocations start a collection, and the older generations' passes walk every object built so
    far: on the SST-2 test sentences that was half of the time to explain them with attention.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def gradients_through_rnn(device: torch.device) -> Iterator[None]:
    """Gradients with dropout off: cuDNN refuses an RNN's backward pass in eval mode (captum #564),
    so on a GPU the RNN runs through PyTorch's own kernels meanwhile; on the CPU nothing changes."""
    with torch.enable_grad(), torch.backends.cudnn.flags(enabled=device.type != "cuda"):
        yield

"""Leave-one-out: each word's weight is how much the predicted class's probability falls without it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from attnviz.explain.common import ReadTexts, build_explanation, check_options, read_texts
from attnviz.explanation import Explanation
from attnviz.inference import grouped, predict_probabilities

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier

VARIANTS_PER_PASS = 8192  # shortened texts built and predicted at a time: bounds memory on long texts


def explain_leave_one_out(classifier: TextClassifier, texts: Sequence[str], **options: Any) -> list[Explanation]:
    """Signed weights: p(predicted | text) - p(predicted | text without word t), the variants batched.

    A text of n words costs n forward passes, so long documents are slow to explain this way.
    """
    check_options("leave-one-out", options, ())
    read = read_texts(classifier, texts)
    falls: list[list[float]] = [[] for _ in texts]
    for indices in _groups(read):
        variants = [
            sequence[:position] + sequence[position + 1 :]
            for sequence in (read.encoded.sequences[index] for index in indices)
            for position in range(len(sequence))
        ]
        dropped = predict_probabilities(classifier.network_, variants, classifier.device_)  # (variants, classes)
        row = 0
        for index in indices:
            target, count = int(read.predicted[index]), len(read.encoded.sequences[index])
            falls[index] = (read.probabilities[index, target] - dropped[row : row + count, target]).tolist()
            row += count
    return [build_explanation(classifier, read, index, falls[index], "leave-one-out") for index in range(len(texts))]


def _groups(read: ReadTexts) -> Iterator[list[int]]:
    sequences = read.encoded.sequences
    return grouped(range(len(sequences)), lambda index: len(sequences[index]), VARIANTS_PER_PASS)

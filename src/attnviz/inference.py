"""Running a trained network over many texts: encode, batch by length, restore input order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

from attnviz.nn.network import AttentionClassifierNetwork, AttentionOutput
from attnviz.text.tokenizer import Token, Tokenizer
from attnviz.text.vocabulary import Vocabulary
from attnviz.training.batching import Batch, iterate_batches, sorted_order

INFERENCE_BATCH_SIZE = 256


@dataclass(frozen=True)
class EncodedTexts:
    """Texts as the model reads them: the tokens kept (with spans), their ids, and which were cut."""

    tokens: list[list[Token]]
    sequences: list[list[int]]
    truncated: list[bool]


def encode_texts(texts: Sequence[str], tokenizer: Tokenizer, vocabulary: Vocabulary, max_length: int) -> EncodedTexts:
    tokens, sequences, truncated = [], [], []
    for text in texts:
        all_tokens = tokenizer.tokenize(text)
        kept = all_tokens[:max_length]
        tokens.append(kept)
        sequences.append(vocabulary.encode([tokenizer.normalise(token.text) for token in kept]))
        truncated.append(len(all_tokens) > max_length)
    return EncodedTexts(tokens, sequences, truncated)


def run_batches(
    network: AttentionClassifierNetwork,
    sequences: Sequence[Sequence[int]],
    device: torch.device,
    batch_size: int = INFERENCE_BATCH_SIZE,
) -> Iterator[tuple[Batch, AttentionOutput]]:
    """Yields every batch (in length order) with the network's logits, weights and class scores."""
    network.eval()
    with torch.inference_mode():
        for batch in iterate_batches(sorted_order([len(s) for s in sequences], batch_size), sequences):
            output = network(batch.token_ids.to(device), batch.lengths, return_attention=True)
            assert isinstance(output, AttentionOutput)
            yield batch, output


def predict_probabilities(
    network: AttentionClassifierNetwork, sequences: Sequence[Sequence[int]], device: torch.device
) -> torch.Tensor:
    """(texts, classes) class probabilities in input order."""
    probabilities = torch.zeros(len(sequences), network.config.num_classes)
    network.eval()
    with torch.inference_mode():
        for batch in iterate_batches(sorted_order([len(s) for s in sequences], INFERENCE_BATCH_SIZE), sequences):
            logits = network(batch.token_ids.to(device), batch.lengths)
            assert isinstance(logits, torch.Tensor)
            probabilities[batch.indices] = logits.float().softmax(-1).cpu()
    return probabilities

"""Deletion consistency: the expected logits, the words deleted, and a loss that is zero without context."""

from __future__ import annotations

import numpy as np
import torch

from attnviz.config import ModelConfig
from attnviz.nn.network import AttentionClassifierNetwork, AttentionOutput
from attnviz.training.batching import pad
from attnviz.training.consistency import _kept_words, deletion_consistency, expected_logits

TEXTS = [[5, 6, 7, 8, 9, 10], [11, 12], [13], [], [14, 15, 16, 17, 18, 19, 20, 21]]


def _network() -> AttentionClassifierNetwork:
    torch.manual_seed(0)
    config = ModelConfig(vocabulary_size=30, num_classes=3, embedding_size=8, hidden_size=6, attention="per-class")
    return AttentionClassifierNetwork(config).eval()


def _attend(network: AttentionClassifierNetwork, texts: list[list[int]]) -> tuple[AttentionOutput, torch.Tensor]:
    token_ids, lengths = pad(texts)
    output = network(token_ids, lengths, return_attention=True)
    assert isinstance(output, AttentionOutput)
    return output, torch.arange(token_ids.shape[1]) < lengths[:, None]


def test_keeping_every_word_expects_the_logits_and_dropping_one_renormalises_the_rest() -> None:
    network = _network()
    output, mask = _attend(network, TEXTS[:2])
    temperature = network.attention.temperature
    assert torch.allclose(expected_logits(output, mask, temperature), output.logits, atol=1e-5)
    keep = mask.clone()
    keep[0, 2] = False
    scores, evidence = output.class_scores[0, :6], output.class_scores[0, :6] * temperature  # (time, classes)
    weights = torch.softmax(scores[[0, 1, 3, 4, 5]], dim=0)  # (kept, classes)
    by_hand = (weights * evidence[[0, 1, 3, 4, 5]]).sum(0)
    assert torch.allclose(expected_logits(output, keep, temperature)[0], by_hand, atol=1e-5)


def test_the_loss_is_zero_when_evidence_ignores_the_context_and_positive_when_it_does_not() -> None:
    network = _network()
    token_ids, lengths = pad(TEXTS)
    output, _ = _attend(network, TEXTS)
    loss = deletion_consistency(network, token_ids, lengths, output, np.random.default_rng(0))
    assert loss.item() > 1e-6 and loss.requires_grad
    with torch.no_grad():  # the output layer reads only each word's own embedding: no context at all
        network.output.weight[:, : network.encoder.output_size] = 0.0
    output, _ = _attend(network, TEXTS)
    assert deletion_consistency(network, token_ids, lengths, output, np.random.default_rng(0)).item() < 1e-10


def test_texts_lose_a_quarter_of_their_words_on_average_never_all_half_of_them_the_most_attended() -> None:
    network = _network()
    texts = [TEXTS[0], TEXTS[-1], [22], []] * 50
    output, mask = _attend(network, texts)
    keep = _kept_words(output, mask, mask.sum(1), np.random.default_rng(0))
    lengths = mask.sum(1)
    assert not (keep & ~mask).any()
    assert ((keep.sum(1) >= 1) | (lengths == 0)).all()
    assert 0.2 < 1 - keep.sum().item() / lengths.sum().item() < 0.3  # shares drawn from 0 to 50 %
    predicted = output.logits.argmax(-1)
    scores = output.class_scores[torch.arange(len(texts)), :, predicted]  # (batch, time)
    most_attended = 0
    for row in range(0, len(texts), 4):  # the 6-word texts
        deleted = (~keep[row] & mask[row]).nonzero().flatten().tolist()
        ranked = scores[row, : lengths[row]].argsort(descending=True).tolist()
        most_attended += 1 <= len(deleted) <= 3 and sorted(deleted) == sorted(ranked[: len(deleted)])
    assert 15 <= most_attended <= 40

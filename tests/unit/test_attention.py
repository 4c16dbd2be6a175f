from __future__ import annotations

import pytest
import torch

from attnviz.config import ATTENTION_TYPES, ModelConfig
from attnviz.nn.attention import MaxClassAttention, PerClassAttention, masked_softmax
from attnviz.nn.network import AttentionClassifierNetwork, AttentionOutput
from attnviz.training.batching import pad


def test_masked_softmax_gives_exact_zero_to_padding_and_sums_to_one() -> None:
    scores = torch.tensor([[1.0, 2.0, 50.0], [3.0, 1e4, -1e4]])
    mask = torch.tensor([[True, True, False], [True, True, True]])
    weights = masked_softmax(scores, mask)
    assert weights[0, 2].item() == 0.0
    assert torch.allclose(weights.sum(-1), torch.ones(2))
    assert torch.isfinite(weights).all()


def test_masked_softmax_of_a_row_without_tokens_is_zero_not_nan() -> None:
    weights = masked_softmax(torch.zeros(1, 4), torch.zeros(1, 4, dtype=torch.bool))
    assert torch.equal(weights, torch.zeros(1, 4))


def test_masked_softmax_computes_in_float32_even_for_half_inputs() -> None:
    weights = masked_softmax(torch.tensor([[60000.0, 0.0]], dtype=torch.float16), torch.tensor([[True, True]]))
    assert weights.dtype == torch.float32 and torch.isfinite(weights).all()


def test_max_class_attention_takes_the_largest_class_score_per_step() -> None:
    layer = MaxClassAttention(features=2, num_classes=2)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    hidden = torch.tensor([[[3.0, 0.0], [0.0, 1.0]]])  # (batch, time, features)
    pooled, weights, class_scores = layer(hidden, torch.tensor([[True, True]]))
    assert class_scores is not None and torch.equal(class_scores, hidden)
    expected = torch.softmax(torch.tensor([3.0, 1.0]), 0)
    assert torch.allclose(weights[0], expected)
    assert torch.allclose(pooled[0], expected @ hidden[0])


def _network(attention: str, rnn: str = "gru", layers: int = 1) -> AttentionClassifierNetwork:
    torch.manual_seed(0)
    config = ModelConfig(
        vocabulary_size=50,
        num_classes=3,
        embedding_size=8,
        hidden_size=6,
        attention=attention,
        rnn=rnn,
        layers=layers,
    )
    return AttentionClassifierNetwork(config).eval()


@pytest.mark.parametrize("attention", ATTENTION_TYPES)
@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_every_form_sums_to_one_on_real_tokens_and_zero_on_padding(attention: str, rnn: str) -> None:
    token_ids, lengths = pad([[5, 6, 7], [8], [9, 10, 11, 12, 13], []])
    output = _network(attention, rnn, layers=2)(token_ids, lengths, return_attention=True)
    assert isinstance(output, AttentionOutput)
    mask = torch.arange(token_ids.shape[1]) < lengths[:, None]
    assert torch.all(output.weights[~mask] == 0)
    assert torch.allclose(output.weights.sum(-1), torch.tensor([1.0, 1.0, 1.0, 0.0]))
    assert output.class_scores.shape == (4, 5, 3)
    assert torch.isfinite(output.logits).all()


@pytest.mark.parametrize("attention", ATTENTION_TYPES)
def test_a_text_gets_the_same_weights_alone_or_beside_much_longer_texts(attention: str) -> None:
    network = _network(attention)
    short = [3, 4, 5, 6]
    alone = network(*pad([short]), return_attention=True)
    crowded = network(*pad([list(range(2, 49)) * 4, short, list(range(7, 30))]), return_attention=True)
    assert isinstance(alone, AttentionOutput) and isinstance(crowded, AttentionOutput)
    assert torch.allclose(alone.weights[0, :4], crowded.weights[1, :4], atol=1e-5)
    assert torch.allclose(alone.logits[0], crowded.logits[1], atol=1e-5)


def test_prediction_and_explanation_come_from_one_pass_of_the_same_weights() -> None:
    network = _network("max-class")
    token_ids, lengths = pad([[5, 6, 7]])
    logits = network(token_ids, lengths)
    output = network(token_ids, lengths, return_attention=True)
    assert isinstance(output, AttentionOutput)
    assert torch.equal(logits, output.logits)


def test_per_class_attention_weights_each_class_by_its_own_evidence() -> None:
    evidence = torch.tensor([[[2.0, 0.0], [0.0, 4.0], [1.0, 1.0], [9.0, 9.0]]])  # (batch, time, classes)
    mask = torch.tensor([[True, True, True, False]])
    centred, weights, scores = PerClassAttention()(evidence, mask)
    assert torch.equal(centred[0, :3], torch.tensor([[1.0, -1.0], [-2.0, 2.0], [0.0, 0.0]]))
    expected = torch.softmax(torch.tensor([1.0, -2.0, 0.0]) / PerClassAttention.temperature, 0)
    assert torch.allclose(weights[0, 0, :3], expected) and weights[0, 0, 3] == 0
    assert torch.allclose(masked_softmax(scores.transpose(1, 2), mask[:, None, :]), weights)


@pytest.mark.parametrize("attention", [form for form in ATTENTION_TYPES if form != "per-class"])
def test_given_weightings_replace_the_attention_of_one_rnn_pass(attention: str) -> None:
    network = _network(attention)
    token_ids, lengths = pad([[5, 6, 7], [8], [9, 10, 11, 12]])
    output = network(token_ids, lengths, return_attention=True)
    assert isinstance(output, AttentionOutput)
    first = torch.zeros_like(output.weights)
    first[:, 0] = 1.0
    given = torch.stack([output.weights, first], dim=1)  # (texts, 2 weightings, time)
    logits = network.logits_with_attention(token_ids, lengths, given)
    assert logits.shape == (3, 2, 3)
    assert torch.allclose(logits[:, 0], output.logits, atol=1e-6)  # its own weights give its own prediction
    hidden = network.encoder(network.encoder.embed(token_ids), lengths)
    assert torch.allclose(logits[:, 1], network.output(hidden[:, 0]), atol=1e-6)


def test_per_class_network_reports_the_predicted_class_weights_and_pools_evidence_with_them() -> None:
    network = _network("per-class")
    token_ids, lengths = pad([[5, 6, 7, 8], [9, 10]])
    output = network(token_ids, lengths, return_attention=True)
    assert isinstance(output, AttentionOutput)
    embedded = network.encoder.embed(token_ids)  # (batch, time, embedding)
    evidence = network.output(torch.cat([network.encoder(embedded, lengths), embedded], dim=-1))
    centred = evidence - evidence.mean(-1, keepdim=True)  # (batch, time, classes)
    mask = torch.arange(token_ids.shape[1]) < lengths[:, None]
    class_weights = masked_softmax(output.class_scores.transpose(1, 2), mask[:, None, :])  # (batch, classes, time)
    assert torch.allclose(output.logits, (class_weights * centred.transpose(1, 2)).sum(-1), atol=1e-6)
    predicted = output.logits.argmax(-1)
    assert torch.allclose(output.weights, class_weights[torch.arange(2), predicted], atol=1e-6)
    given = torch.tensor([[[0.0, 0.0, 0.0, 1.0], [0.5, 0.5, 0.0, 0.0]], [[1.0, 0.0, 0.0, 0.0], [0.0, 0.5, 0.0, 0.5]]])
    shuffled = network.logits_with_attention(token_ids, lengths, given)  # (texts, weightings, classes)
    assert torch.allclose(shuffled[:, 0], centred[torch.arange(2), torch.tensor([3, 0])], atol=1e-6)
    assert torch.allclose(shuffled[0, 1], centred[0, :2].mean(0), atol=1e-6)
    assert torch.allclose(shuffled[1, 1], centred[1, 1] / 2, atol=1e-6)  # no weight on padding

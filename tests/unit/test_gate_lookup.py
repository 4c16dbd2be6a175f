from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import torch
from torch import nn

from attnviz.config import ModelConfig
from attnviz.nn import gate_lookup, recurrence
from attnviz.nn.encoder import RecurrentEncoder
from attnviz.nn.network import AttentionClassifierNetwork

from .test_recurrence import packed_gru

LENGTHS = torch.tensor([9, 4, 1, 0, 7, 9])  # unsorted, with ties and an empty text
# Hidden size 5 takes the PyTorch loops (the `w` recurrence); 16 the C kernel where it was built.
HIDDEN_SIZES = [5, 16]


def random_encoder(seed: int, hidden_size: int = 5, **settings: object) -> RecurrentEncoder:
    torch.manual_seed(seed)
    config = ModelConfig(vocabulary_size=30, num_classes=3, embedding_size=6, hidden_size=hidden_size, **settings)  # type: ignore[arg-type]
    encoder = RecurrentEncoder(config)
    with torch.no_grad():
        for parameter in encoder.rnn.parameters():  # far from the small initial weights: saturated gates too
            parameter.uniform_(-1.5, 1.5)
        encoder.embedding.weight.normal_()
    return encoder.eval()


def token_ids_of(lengths: torch.Tensor, vocabulary_size: int = 30) -> torch.Tensor:
    ids = torch.randint(1, vocabulary_size, (len(lengths), int(lengths.max())))
    return ids * (torch.arange(ids.shape[1])[None, :] < lengths[:, None])  # padded with 0


def packed_states(encoder: RecurrentEncoder, token_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    assert isinstance(encoder.rnn, nn.GRU)
    with torch.no_grad():
        return packed_gru(encoder.rnn, encoder.embedding(token_ids), lengths)


@pytest.mark.parametrize("hidden_size", HIDDEN_SIZES)
@pytest.mark.parametrize("table_bytes", [gate_lookup.TABLE_BYTES, 0])  # looked up, or multiplied per batch
def test_equals_pytorch_gru_over_packed_sequences_and_is_zero_where_a_text_was_not_read(
    table_bytes: int, hidden_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gate_lookup, "TABLE_BYTES", table_bytes)
    encoder = random_encoder(0, hidden_size)
    token_ids = token_ids_of(LENGTHS)
    with torch.no_grad():
        assert encoder.looks_up_gates(token_ids)
        actual = encoder.states_of_tokens(token_ids, LENGTHS)
    assert (gate_lookup._made[encoder.rnn].table is not None) == (table_bytes > 0)
    # Packing reads an empty text as one padding step; its states are masked out, here zero.
    real = torch.arange(token_ids.shape[1])[None, :, None] < LENGTHS[:, None, None]  # (batch, time, 1)
    expected = packed_states(encoder, token_ids, LENGTHS) * real
    assert actual.shape == expected.shape
    assert torch.allclose(actual, expected, atol=1e-6)
    assert not actual[3].any() and not actual[2, 1:].any()


@pytest.mark.parametrize("hidden_size", HIDDEN_SIZES)
def test_a_text_alone_and_longest_first_in_a_batch_gets_the_same_states(hidden_size: int) -> None:
    encoder = random_encoder(1, hidden_size)
    token_ids = token_ids_of(torch.tensor([8, 5, 5, 2]))
    with torch.no_grad():
        batch = encoder.states_of_tokens(token_ids, torch.tensor([8, 5, 5, 2]))
        alone = encoder.states_of_tokens(token_ids[1:2, :5], torch.tensor([5]))
    assert torch.allclose(batch[1, :5], alone[0], atol=1e-6)


@pytest.mark.parametrize("hidden_size", HIDDEN_SIZES)
def test_the_table_is_remade_when_the_weights_change_and_kept_while_they_do_not(hidden_size: int) -> None:
    encoder = random_encoder(2, hidden_size)
    token_ids, lengths = token_ids_of(torch.tensor([4, 3])), torch.tensor([4, 3])
    with torch.no_grad():
        encoder.states_of_tokens(token_ids, lengths)
        first = gate_lookup._made[encoder.rnn]
        encoder.states_of_tokens(token_ids, lengths)
        assert gate_lookup._made[encoder.rnn] is first
        encoder.embedding.weight[token_ids[0, 0]] += 1.0  # an optimiser's in-place step
        encoder.rnn.weight_hh_l0_reverse.mul_(0.5)
        changed = encoder.states_of_tokens(token_ids, lengths)
    assert gate_lookup._made[encoder.rnn] is not first
    assert torch.allclose(changed, packed_states(encoder, token_ids, lengths), atol=1e-6)


@pytest.mark.parametrize(
    "settings, grad, training",
    [({}, True, False), ({}, False, True), ({"layers": 2}, False, False), ({"rnn": "lstm"}, False, False)],
)
def test_only_a_one_layer_gru_predicting_without_gradients_looks_gates_up(
    settings: dict[str, object], grad: bool, training: bool
) -> None:
    encoder = random_encoder(3, **settings).train(training)
    with torch.set_grad_enabled(grad):
        assert not encoder.looks_up_gates(torch.zeros(1, 2, dtype=torch.long))
    with torch.no_grad():
        assert encoder.looks_up_gates(torch.zeros(1, 2, dtype=torch.long)) == (not settings and not training)


@pytest.mark.parametrize("hidden_size", HIDDEN_SIZES)
@pytest.mark.parametrize("attention", ["max-class", "per-class", "additive"])
def test_the_network_predicts_and_attends_the_same_with_either_path(
    attention: str, hidden_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch.manual_seed(4)
    config = ModelConfig(
        vocabulary_size=30, num_classes=3, embedding_size=6, hidden_size=hidden_size, attention=attention
    )
    network = AttentionClassifierNetwork(config).eval()
    token_ids = token_ids_of(LENGTHS)
    with torch.inference_mode():
        looked_up = network(token_ids, LENGTHS, return_attention=True)
        monkeypatch.setattr(RecurrentEncoder, "looks_up_gates", lambda self, ids: False)
        multiplied = network(token_ids, LENGTHS, return_attention=True)
    for name, got, want in zip(looked_up._fields, looked_up, multiplied, strict=True):
        assert torch.allclose(got, want, atol=1e-6), name


@pytest.mark.parametrize("hidden_size", HIDDEN_SIZES)
def test_threads_predicting_at_once_share_one_table_and_the_state_dict_never_holds_it(
    hidden_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder = random_encoder(5, hidden_size)
    keys = set(encoder.state_dict())
    made: list[int] = []
    prepared = gate_lookup._prepared
    monkeypatch.setattr(gate_lookup, "_prepared", lambda *a: made.append(1) or prepared(*a))
    token_ids, lengths = token_ids_of(torch.tensor([6, 2])), torch.tensor([6, 2])

    def predict(_: int) -> torch.Tensor:
        with torch.no_grad():
            return encoder.states_of_tokens(token_ids, lengths)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(predict, range(8)))
    assert made == [1]
    assert all(torch.equal(result, results[0]) for result in results)
    assert set(encoder.state_dict()) == keys


@pytest.mark.skipif(recurrence._gru_kernel is None, reason="the C kernel was not built")
def test_the_kernel_and_the_pytorch_loops_predict_the_same_and_each_gets_its_own_weights(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoder = random_encoder(6, 16)
    token_ids = token_ids_of(LENGTHS)
    with torch.no_grad():
        with_kernel = encoder.states_of_tokens(token_ids, LENGTHS)
        assert not gate_lookup._made[encoder.rnn].rescaled
        monkeypatch.setattr(recurrence, "_gru_kernel", None)
        with_loops = encoder.states_of_tokens(token_ids, LENGTHS)
        assert gate_lookup._made[encoder.rnn].rescaled  # remade for the `w` recurrence, not reused
    # Each is within 1e-6 of nn.GRU (the tests above), so within 2e-6 of the other.
    assert torch.allclose(with_kernel, with_loops, atol=2e-6), (with_kernel - with_loops).abs().max()


@pytest.mark.parametrize("hidden_size", HIDDEN_SIZES)
def test_a_token_id_outside_the_vocabulary_is_refused_on_either_path(hidden_size: int) -> None:
    encoder = random_encoder(7, hidden_size)
    with torch.no_grad(), pytest.raises(IndexError):
        encoder.states_of_tokens(torch.tensor([[3, 30]]), torch.tensor([2]))  # the vocabulary has 30 words

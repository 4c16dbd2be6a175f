from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from attnviz.config import ModelConfig
from attnviz.nn import recurrence
from attnviz.nn.encoder import RecurrentEncoder
from attnviz.nn.recurrence import bidirectional_gru, kernel_applies

KERNEL_BUILT = recurrence._gru_kernel is not None

LENGTHS = torch.tensor([9, 4, 1, 0, 7])


def packed_gru(rnn: nn.GRU, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    packed = pack_padded_sequence(embedded, lengths.clamp_min(1), batch_first=True, enforce_sorted=False)
    output, _ = rnn(packed)
    return pad_packed_sequence(output, batch_first=True, total_length=embedded.shape[1])[0]


def outputs_and_gradients(function, rnn: nn.GRU, embedded: torch.Tensor, probe: torch.Tensor):  # type: ignore[no-untyped-def]
    mask = (torch.arange(embedded.shape[1])[None, :] < LENGTHS[:, None])[:, :, None]
    output = function(rnn, embedded, LENGTHS) * mask
    gradients = torch.autograd.grad((output * probe).sum(), [embedded, *rnn.parameters()])
    return output, gradients


# Hidden size 5 takes the PyTorch loops; 16 and 24 the C kernel where it is built (24: a tile of 8 columns).
@pytest.mark.parametrize("hidden", [5, 16, 24])
@pytest.mark.parametrize("layers", [1, 2])
def test_matches_pytorch_gru_in_outputs_and_every_gradient(layers: int, hidden: int) -> None:
    torch.manual_seed(0)
    rnn = nn.GRU(6, hidden, num_layers=layers, batch_first=True, bidirectional=True)
    for parameter in rnn.parameters():
        nn.init.uniform_(parameter, -0.7, 0.7)
    embedded = torch.randn(len(LENGTHS), int(LENGTHS.max()), 6, requires_grad=True)
    probe = torch.randn(len(LENGTHS), int(LENGTHS.max()), 2 * hidden)
    expected, expected_gradients = outputs_and_gradients(packed_gru, rnn, embedded, probe)
    actual, actual_gradients = outputs_and_gradients(bidirectional_gru, rnn, embedded, probe)
    assert torch.allclose(actual, expected, atol=1e-6)
    for (name, _), want, got in zip(rnn.named_parameters(), expected_gradients[1:], actual_gradients[1:], strict=True):
        assert torch.allclose(got, want, atol=1e-5), name
    assert torch.allclose(actual_gradients[0], expected_gradients[0], atol=1e-5)


def test_states_of_a_text_do_not_depend_on_padding_after_it() -> None:
    torch.manual_seed(1)
    rnn = nn.GRU(4, 3, batch_first=True, bidirectional=True)
    short = torch.randn(1, 5, 4)
    padded = torch.cat((short, torch.randn(1, 20, 4)), dim=1)
    alone = bidirectional_gru(rnn, short, torch.tensor([5]))
    beside_padding = bidirectional_gru(rnn, padded, torch.tensor([5]))[:, :5]
    assert torch.allclose(alone, beside_padding, atol=1e-6)


@pytest.mark.parametrize("hidden", [3, 8])  # the PyTorch loops, the C kernel
def test_only_the_gradients_asked_for_are_computed(hidden: int) -> None:
    rnn = nn.GRU(4, hidden, batch_first=True, bidirectional=True).requires_grad_(False)
    embedded = torch.randn(2, 6, 4, requires_grad=True)
    bidirectional_gru(rnn, embedded, torch.tensor([6, 3])).sum().backward()
    assert embedded.grad is not None and all(parameter.grad is None for parameter in rnn.parameters())
    frozen_input = embedded.detach()
    bidirectional_gru(rnn.requires_grad_(True), frozen_input, torch.tensor([6, 3])).sum().backward()
    assert all(parameter.grad is not None for parameter in rnn.parameters())


def test_the_encoder_trains_through_it_and_predicts_through_pytorch_with_the_same_numbers() -> None:
    torch.manual_seed(2)
    encoder = RecurrentEncoder(ModelConfig(vocabulary_size=20, num_classes=2, embedding_size=8, hidden_size=4)).eval()
    embedded = torch.randn(3, 7, 8)
    lengths = torch.tensor([7, 2, 5])
    mask = (torch.arange(7)[None, :] < lengths[:, None])[:, :, None]
    with torch.no_grad():
        predicting = encoder(embedded, lengths) * mask
    training = encoder(embedded, lengths) * mask
    assert training.requires_grad and not predicting.requires_grad
    assert torch.allclose(training, predicting, atol=1e-6)


def test_the_install_built_the_kernel_where_there_is_a_c_compiler() -> None:
    if not any(shutil.which(compiler) for compiler in ("cc", "gcc", "clang")):
        pytest.skip("no C compiler here: the PyTorch loops run instead")
    assert KERNEL_BUILT, "the install skipped attnviz/nn/_gru_kernel.c: see the compiler's error in pip install -v"


def test_an_unknown_instruction_set_is_refused() -> None:
    if recurrence._gru_kernel is None:
        pytest.skip("the C kernel was not built")
    with pytest.raises(ValueError, match="no instruction set sse9: use baseline, avx2 or avx512"):
        recurrence._gru_kernel.limit_instruction_set("sse9")


def test_the_kernel_runs_where_it_applies() -> None:
    rnn = nn.GRU(4, 16, batch_first=True, bidirectional=True)
    assert kernel_applies(rnn) == KERNEL_BUILT
    assert not kernel_applies(nn.GRU(4, 5, batch_first=True, bidirectional=True))
    assert not kernel_applies(rnn.double()) and not kernel_applies(nn.GRU(4, 16, bias=False, bidirectional=True))


@pytest.fixture(params=["avx512", "avx2", "baseline"])
def instruction_set(request: pytest.FixtureRequest) -> Iterator[str]:
    """The kernel limited to each instruction set in turn (where the processor lacks one, a narrower runs)."""
    if not KERNEL_BUILT:
        pytest.skip("the C kernel was not built")
    kernel = recurrence._gru_kernel
    assert kernel is not None
    kernel.limit_instruction_set(request.param)
    order = ["baseline", "avx2", "avx512"]
    assert order.index(kernel.instruction_set(32)) <= order.index(request.param)  # nothing wider than asked
    yield request.param
    kernel.limit_instruction_set("avx512")


@pytest.mark.parametrize("layers", [1, 2])
def test_the_kernel_and_the_pytorch_loops_agree(
    monkeypatch: pytest.MonkeyPatch, layers: int, instruction_set: str
) -> None:
    torch.manual_seed(3)
    rnn = nn.GRU(12, 32, num_layers=layers, batch_first=True, bidirectional=True)
    embedded = torch.randn(7, 30, 12, requires_grad=True)  # 7 rows: a tile of 4 and one of 3
    lengths = torch.tensor([30, 29, 17, 5, 1, 30, 12])
    probe = torch.randn(7, 30, 64)

    def run() -> tuple[torch.Tensor, ...]:
        output = bidirectional_gru(rnn, embedded, lengths)
        return (output, *torch.autograd.grad((output * probe).sum(), [embedded, *rnn.parameters()]))

    with_kernel = run()
    monkeypatch.setattr(recurrence, "_gru_kernel", None)
    for got, want in zip(with_kernel, run(), strict=True):
        assert torch.allclose(got, want, atol=2e-5), (got - want).abs().max()


@pytest.mark.skipif(not KERNEL_BUILT, reason="the C kernel was not built")
def test_the_kernel_saturates_instead_of_overflowing() -> None:
    rnn = nn.GRU(4, 8, batch_first=True, bidirectional=True)
    embedded = torch.full((2, 3, 4), 1e4)  # pre-activations far past where exp overflows
    embedded[1] *= -1
    output = bidirectional_gru(rnn, embedded, torch.tensor([3, 3]))
    assert torch.isfinite(output).all() and output.abs().max() <= 1.0
    expected = packed_gru(rnn, embedded, torch.tensor([3, 3]))
    assert torch.allclose(output, expected, atol=1e-6)

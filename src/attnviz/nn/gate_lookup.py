"""A bidirectional GRU for prediction on the CPU that looks each word's input gates up in a table.

Without dropout, a GRU layer's input gates `x W_ih + b_ih` depend on the word alone, so they are
computed once for the whole vocabulary and each text looks its words up: two thirds of a one-layer
GRU's arithmetic gone. Where the C kernel was built (`_gru_kernel.c`), it runs the recurrence: it
reads each word's gates from the table itself, steps each text only as far as its length, and holds
no lock on Python meanwhile, so the explanation pipeline's Python thread works while the network
runs (SST-2 test sentences, interleaved: `predict_proba` 1.2-1.5x, `explain` 1.0-1.3x as many texts/s
as the PyTorch loops). Without it, the recurrence runs both directions in one time-major loop of
PyTorch operations, each step over the texts still being read (batches come longest first, as
packing wants). PyTorch's CPU tanh is three to four times as slow as its sigmoid, so that loop tracks
`w = (h + 1) / 2` instead of the state `h`, with weights rescaled to match, and every tanh becomes a
sigmoid: `tanh(a) = 2 sigmoid(2a) - 1`. Either way the states are `nn.GRU`'s to within float
rounding (the tests compare them).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import torch
from torch import nn

from attnviz.nn import recurrence
from attnviz.nn.recurrence import kernel_applies, kernel_lengths, reversal_order, reverse_rows

# A larger table (a big vocabulary with a wide GRU) is not kept: the input gates are multiplied per batch.
TABLE_BYTES = 128 * 2**20
_building = threading.Lock()


@dataclass(frozen=True)
class GateWeights:
    """An `nn.GRU` layer's weights, both directions stacked; rescaled for the `w` recurrence, or as they are."""

    key: tuple[tuple[int, int], ...]  # the parameters' storage and version when these were made
    table: torch.Tensor | None  # (2 * vocabulary, 3 * hidden): each word's input gates, direction-major
    embedding: torch.Tensor  # (vocabulary, embedding)
    input_weight: torch.Tensor  # (direction, embedding, 3 * hidden), transposed
    input_bias: torch.Tensor  # (direction, 1, 3 * hidden)
    hidden_weight: torch.Tensor  # (direction, hidden, 3 * hidden), transposed
    hidden_bias: torch.Tensor  # (direction, 1, 3 * hidden)
    # True for the PyTorch loops' `w` recurrence; False: the weights as they are, for the C kernel.
    rescaled: bool = True


# Each GRU's, beside it rather than on it: copying or saving a network copies no table.
_made: weakref.WeakKeyDictionary[nn.Module, GateWeights] = weakref.WeakKeyDictionary()


def uses_lookup(rnn: nn.Module, token_ids: torch.Tensor) -> bool:
    """Whether `gru_states` applies: a one-layer bidirectional GRU on the CPU in float32, in evaluation,
    without gradients."""
    return (
        isinstance(rnn, nn.GRU)
        and rnn.num_layers == 1
        and rnn.bidirectional
        and rnn.bias
        and not rnn.training
        and not torch.is_grad_enabled()
        and token_ids.device.type == "cpu"
        and rnn.weight_hh_l0.dtype == torch.float32
    )


def gate_weights(rnn: nn.GRU, embedding: nn.Embedding) -> GateWeights:
    """The weights of `rnn` as its recurrence wants them (rescaled for the PyTorch loops), made once and
    remade only when a parameter changes (new storage or an in-place update, as an optimiser's step)."""
    parameters = (embedding.weight, *rnn.parameters())
    key = tuple((parameter.data_ptr(), parameter._version) for parameter in parameters)
    rescale = not kernel_applies(rnn)
    with _building:  # the pipeline's workers ask at once: one makes them, the other waits
        made = _made.get(rnn)
        if made is None or made.key != key or made.rescaled != rescale:
            with torch.no_grad():
                made = _made[rnn] = _prepared(rnn, embedding.weight, key, rescale)
        return made


def _prepared(rnn: nn.GRU, embedding: torch.Tensor, key: tuple[tuple[int, int], ...], rescale: bool) -> GateWeights:
    def stacked(name: str) -> torch.Tensor:
        return torch.stack((getattr(rnn, f"{name}_l0"), getattr(rnn, f"{name}_l0_reverse")))

    size = rnn.hidden_size
    # For the `w` recurrence the candidate gate's pre-activation is doubled (tanh(a) = 2 sigmoid(2a) - 1);
    # reset and update unchanged. The C kernel computes tanh itself and takes the weights as they are.
    doubled = torch.ones(3 * size)
    doubled[2 * size :] = 2.0 if rescale else 1.0
    input_weight = (stacked("weight_ih") * doubled[:, None]).transpose(1, 2).contiguous()  # (direction, input, 3H)
    input_bias = (stacked("bias_ih") * doubled)[:, None]  # (direction, 1, 3 * hidden)
    recurrent, recurrent_bias = stacked("weight_hh"), stacked("bias_hh")  # (direction, 3H, hidden), (direction, 3H)
    if rescale:  # h = 2w - 1, so h W^T + b = w (2W)^T + (b - W 1)
        recurrent_bias = (recurrent_bias - recurrent.sum(2)) * doubled
        recurrent = 2 * recurrent * doubled[:, None]
    hidden_bias = recurrent_bias[:, None]  # (direction, 1, 3 * hidden)
    hidden_weight = recurrent.transpose(1, 2).contiguous()  # (direction, hidden, 3 * hidden)
    table = None
    if 2 * embedding.shape[0] * 3 * size * embedding.element_size() <= TABLE_BYTES:
        both = torch.baddbmm(input_bias, embedding.expand(2, -1, -1), input_weight)  # (direction, vocabulary, 3H)
        table = both.reshape(-1, 3 * size)
    return GateWeights(key, table, embedding.detach(), input_weight, input_bias, hidden_weight, hidden_bias, rescale)


def gru_states(weights: GateWeights, token_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """`token_ids` (batch, time), `lengths` (batch,) -> (batch, time, 2 * hidden), zero on padding, like
    the bidirectional `nn.GRU` the weights came from over packed sequences."""
    lengths = lengths.cpu()
    if not weights.rescaled:
        return _kernel_states(weights, token_ids, lengths)
    if bool((lengths[:-1] < lengths[1:]).any()):  # the loop needs the longest texts first
        order = torch.argsort(lengths, descending=True, stable=True)
        return gru_states(weights, token_ids[order], lengths[order])[torch.argsort(order)]
    reverse_index = reversal_order(lengths, token_ids.shape[1])  # (batch, time)
    ids = torch.stack((token_ids, token_ids.gather(1, reverse_index)))  # (direction, batch, time)
    states = _recurrence(weights, _input_gates(weights, ids), lengths.tolist())  # (time, direction, batch, hidden)
    forward = states[:, 0].transpose(0, 1)  # (batch, time, hidden)
    backward = reverse_rows(states[:, 1].transpose(0, 1), reverse_index)  # (batch, time, hidden)
    return torch.cat((forward, backward), dim=2)  # (batch, time, 2 * hidden)


def _kernel_states(weights: GateWeights, token_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """`gru_states` through the C kernel: the input gates read from the table (or one product for the
    batch where there is none), the loops in C with PyTorch's GIL released, and zeros where not read."""
    kernel = recurrence._gru_kernel
    assert kernel is not None
    batch, time = token_ids.shape
    directions, input_size, gates_size = weights.input_weight.shape
    ids = token_ids.to(torch.int64).contiguous()
    vocabulary_size = weights.embedding.shape[0]
    if ids.numel() and not 0 <= int(ids.min()) <= int(ids.max()) < vocabulary_size:  # the C loops check nothing
        raise IndexError(f"token ids must be in [0, {vocabulary_size}) to be looked up")
    lengths = kernel_lengths(lengths, time)
    output = torch.zeros(batch, time, directions * gates_size // 3)  # (batch, time, 2 * hidden)
    if weights.table is not None:
        source, ids_pointer, vocabulary = weights.table, ids.data_ptr(), vocabulary_size
    else:
        both = weights.input_weight.transpose(0, 1).reshape(input_size, directions * gates_size)  # (input, 2 * 3H)
        embedded = weights.embedding.index_select(0, ids.view(-1))  # (batch * time, input)
        source = torch.addmm(weights.input_bias.reshape(-1), embedded, both)  # (batch * time, 2 * 3 * hidden)
        ids_pointer, vocabulary = None, 0
    tensors = (lengths, source, weights.hidden_weight, weights.hidden_bias, output)
    pointers = [tensor.data_ptr() for tensor in tensors]
    kernel.predict(time, batch, gates_size // 3, vocabulary, pointers[0], ids_pointer, *pointers[1:])
    return output


def _input_gates(weights: GateWeights, ids: torch.Tensor) -> torch.Tensor:
    """(time, direction, batch, 3 * hidden) input gates of `ids` (direction, batch, time)."""
    directions, batch, time = ids.shape
    time_major = ids.permute(2, 0, 1)  # (time, direction, batch)
    if weights.table is not None:
        offsets = torch.arange(directions)[None, :, None] * weights.embedding.shape[0]  # the direction's rows
        looked_up = weights.table.index_select(0, (time_major + offsets).reshape(-1))  # (time * 2 * batch, 3H)
        return looked_up.view(time, directions, batch, -1)
    embedded = weights.embedding.index_select(0, time_major.transpose(0, 1).reshape(-1))  # (2 * time * batch, E)
    gates = torch.baddbmm(weights.input_bias, embedded.view(directions, time * batch, -1), weights.input_weight)
    return gates.view(directions, time, batch, -1).transpose(0, 1)  # (time, direction, batch, 3 * hidden)


def _recurrence(weights: GateWeights, input_gates: torch.Tensor, lengths: list[int]) -> torch.Tensor:
    """The states h (time, direction, batch, hidden) from the input gates, lengths in descending order."""
    time, directions, batch, _ = input_gates.shape
    size = weights.hidden_weight.shape[1]
    halves = input_gates.new_full((time + 1, directions, batch, size), 0.5)  # w = (h + 1) / 2, from h = 0
    buffers = [input_gates.new_empty(directions, batch, width * size) for width in (3, 2, 1)]
    for start, end, reading in _spans(lengths, time):
        # Views made once a span: made every step, they cost as much as the arithmetic for short texts.
        hidden_gates, reset_update, candidate = (buffer[:, :reading] for buffer in buffers)
        states = halves[start : end + 1, :, :reading].unbind(0)  # (direction, reading, hidden) each
        given = input_gates[start:end, :, :reading]  # (steps, direction, reading, 3 * hidden)
        given_reset_update, given_candidate = given[..., : 2 * size].unbind(0), given[..., 2 * size :].unbind(0)
        gates_reset_update, gates_candidate = hidden_gates[..., : 2 * size], hidden_gates[..., 2 * size :]
        reset, update = reset_update[..., :size], reset_update[..., size:]
        for step in range(end - start):
            torch.baddbmm(weights.hidden_bias, states[step], weights.hidden_weight, out=hidden_gates)
            torch.add(given_reset_update[step], gates_reset_update, out=reset_update).sigmoid_()
            # (candidate + 1) / 2 = sigmoid(2a): the reset gate scales the doubled hidden part.
            torch.addcmul(given_candidate[step], reset, gates_candidate, out=candidate).sigmoid_()
            torch.lerp(candidate, states[step], update, out=states[step + 1])  # candidate + update (w - candidate)
    return halves[1:].mul_(2).sub_(1)  # (time, direction, batch, hidden): h = 2w - 1, zero where not read


def _spans(lengths: list[int], time: int) -> list[tuple[int, int, int]]:
    """(first step, step after the last, texts read) for each run of steps over the same texts."""
    spans, start, reading = [], 0, len(lengths)
    while reading and start < time:
        end = min(lengths[reading - 1], time)
        if end > start:
            spans.append((start, end, reading))
            start = end
        reading -= 1
    return spans

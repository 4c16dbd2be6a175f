"""A bidirectional GRU for training on the CPU, with a hand-written backward pass.

PyTorch's CPU GRU records every time step's gate arithmetic for autograd, and its backward pass
spends more time on that bookkeeping (gradient accumulation, zero-filling) than on the matrix
products; the peers in ../shared/peers measured the same. Here the time loops of both directions run
in a small C kernel (`_gru_kernel.c`, built at install): a step is one small matrix product and one
pass over its gates, and the backward direction reads each text reversed within its own length, so
nothing is copied to reverse it. The input projection, the input gradient and the weight gradients
are single large PyTorch products over all steps. Where the kernel was not built (no C compiler) or
does not apply (a hidden size that is not a multiple of 8, float64), the same loops run as a few
PyTorch operations a step, with reversed copies. Both give `nn.GRU`'s numbers to within float
rounding; on SST-2 sentences the kernel trains 1.35x as many tokens/s as the PyTorch loops, which
were already 1.5-4x `nn.GRU` (benchmarks/rnn_speed.py, benchmarks/training_floor.py).

It reads the weights of an `nn.GRU`, so saved models are the same whichever path trained them.
Without gradients (prediction, attention) a one-layer GRU looks its input gates up instead (`gate_lookup`).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import torch
from torch import nn
from torch.nn import functional


def _load_kernel() -> ModuleType | None:
    try:
        from attnviz.nn import _gru_kernel
    except ImportError:  # not built: there was no C compiler at install time
        return None
    return _gru_kernel


_gru_kernel = _load_kernel()


def bidirectional_gru(rnn: nn.GRU, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """`embedded` (batch, time, input), `lengths` (batch,) -> (batch, time, 2 * hidden) like `rnn`.

    States past a text's length are not meaningful (the caller masks them), but no state within a
    text depends on padding: the reverse direction reads each text reversed within its own length.
    """
    assert rnn.bidirectional and rnn.batch_first
    kernel = kernel_applies(rnn)
    if kernel:
        lengths = kernel_lengths(lengths, embedded.shape[1])
    else:
        reverse_index = reversal_order(lengths.to(embedded.device), embedded.shape[1])  # (batch, time)
    output = embedded
    for layer in range(rnn.num_layers):
        if layer > 0:
            output = functional.dropout(output, rnn.dropout, rnn.training)
        output = _kernel_layer(rnn, layer, output, lengths) if kernel else _layer(rnn, layer, output, reverse_index)
    return output


def kernel_applies(rnn: nn.GRU) -> bool:
    """Whether the C kernel runs `rnn`'s loops: built, on the CPU, float32, a hidden size divisible by 8."""
    weight = rnn.weight_hh_l0
    return (
        _gru_kernel is not None
        and weight.device.type == "cpu"
        and weight.dtype == torch.float32
        and rnn.hidden_size % 8 == 0
        and rnn.bias
    )


def kernel_lengths(lengths: torch.Tensor, time: int) -> torch.Tensor:
    """`lengths` as the kernel reads them: contiguous int64 on the CPU, none past `time`."""
    return lengths.to("cpu", torch.int64).clamp(0, time).contiguous()


def _kernel_layer(rnn: nn.GRU, layer: int, inputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """One layer through the C kernel: (batch, time, input) -> (batch, time, 2 * hidden)."""
    names = [f"{name}_l{layer}{suffix}" for name in _WEIGHT_NAMES for suffix in ("", "_reverse")]
    apply = _KernelGRU.apply
    output: torch.Tensor = apply(inputs, lengths, *(getattr(rnn, name) for name in names))  # type: ignore[no-untyped-call]
    return output


def _layer(rnn: nn.GRU, layer: int, inputs: torch.Tensor, reverse_index: torch.Tensor) -> torch.Tensor:
    reversed_inputs = reverse_rows(inputs, reverse_index)  # (batch, time, input)
    both = torch.stack((inputs, reversed_inputs)).transpose(1, 2)  # (direction, time, batch, input)
    weights = [
        torch.stack((getattr(rnn, f"{name}_l{layer}"), getattr(rnn, f"{name}_l{layer}_reverse")))
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    ]
    apply = _BidirectionalGRU.apply
    states: torch.Tensor = apply(both, *weights)  # type: ignore[no-untyped-call]  # (time, direction, batch, hidden)
    forward = states[:, 0].transpose(0, 1)  # (batch, time, hidden)
    backward = reverse_rows(states[:, 1].transpose(0, 1), reverse_index)  # (batch, time, hidden)
    return torch.cat((forward, backward), dim=2)  # (batch, time, 2 * hidden)


def reversal_order(lengths: torch.Tensor, time: int) -> torch.Tensor:
    """(batch, time) positions that reverse each row's first `length` steps and keep its padding in place."""
    positions = torch.arange(time, device=lengths.device)[None, :]  # (1, time)
    last = lengths[:, None] - 1  # (batch, 1)
    return torch.where(positions <= last, last - positions, positions)  # (batch, time)


def reverse_rows(states: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """`states` (batch, time, features) with each row's real steps reversed; applying it twice restores them."""
    return states.gather(1, order[:, :, None].expand(-1, -1, states.shape[2]))  # (batch, time, features)


class _BidirectionalGRU(torch.autograd.Function):
    """Both directions of one GRU layer, stacked on a leading direction axis and run time-major.

    PyTorch's gate order and formulas: r = σ(x W_ir + b_ir + h W_hr + b_hr), z likewise,
    n = tanh(x W_in + b_in + r ⊙ (h W_hn + b_hn)), h' = n + z ⊙ (h - n).
    """

    @staticmethod
    def forward(
        context: Any,
        inputs: torch.Tensor,  # (direction, time, batch, input)
        input_weight: torch.Tensor,  # (direction, 3 * hidden, input)
        hidden_weight: torch.Tensor,  # (direction, 3 * hidden, hidden)
        input_bias: torch.Tensor,  # (direction, 3 * hidden)
        hidden_bias: torch.Tensor,  # (direction, 3 * hidden)
    ) -> torch.Tensor:
        directions, time, batch, input_size = inputs.shape
        size = hidden_weight.shape[2]
        flat = inputs.reshape(directions, time * batch, input_size)
        input_gates = torch.baddbmm(input_bias[:, None], flat, input_weight.transpose(1, 2))
        input_gates = input_gates.view(directions, time, batch, 3 * size).transpose(0, 1)  # (time, dir, batch, 3H)
        # Each step's product starts from r's and z's input gates plus all hidden biases, so it yields
        # r's and z's pre-activations whole and the candidate's hidden gate (which r scales) apart.
        hidden_gates = torch.cat(
            (input_gates[..., : 2 * size], input_gates.new_zeros(1).expand(*input_gates.shape[:3], size)), 3
        )
        hidden_gates += hidden_bias[:, None]  # (time, direction, batch, 3 * hidden)
        given_candidate = input_gates[..., 2 * size :]  # (time, direction, batch, hidden)
        hidden_weight_t = hidden_weight.transpose(1, 2).contiguous()  # (direction, hidden, 3 * hidden)
        states = inputs.new_zeros(time + 1, directions, batch, size)  # states[0] is the initial zero state
        candidates = inputs.new_empty(time, directions, batch, size)
        for step in range(time):
            gates = hidden_gates[step].baddbmm_(states[step], hidden_weight_t)  # (direction, batch, 3 * hidden)
            reset_update = gates[..., : 2 * size].sigmoid_()  # r and z, in place of their pre-activations
            candidate = torch.addcmul(
                given_candidate[step], reset_update[..., :size], gates[..., 2 * size :], out=candidates[step]
            ).tanh_()
            torch.lerp(candidate, states[step], reset_update[..., size:], out=states[step + 1])  # n + z (h - n)
        context.save_for_backward(inputs, input_weight, hidden_weight, states, candidates, hidden_gates)
        return states[1:]

    @staticmethod
    def backward(context: Any, output_gradient: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        inputs, input_weight, hidden_weight, states, candidates, hidden_gates = context.saved_tensors
        time, directions, batch, size = output_gradient.shape
        reset, update = hidden_gates[..., :size], hidden_gates[..., size : 2 * size]
        # What multiplies a step's state gradient to give its gate gradients, for all steps at once, so
        # the loop does one product-and-broadcast a step instead of several small operations.
        to_candidate = (1 - update) * (1 - candidates * candidates)
        to_update = (states[:-1] - candidates) * update * (1 - update)
        to_reset = to_candidate * hidden_gates[..., 2 * size :] * reset * (1 - reset)
        to_hidden_gates = torch.stack((to_reset, to_update, to_candidate * reset), 3)  # (time, dir, batch, 3, H)
        hidden_gate_gradients = output_gradient.new_empty(time, directions, batch, 3, size)
        state_gradients = output_gradient.clone()  # (time, direction, batch, hidden): dL/dh of each step's output
        update = update.contiguous()
        for step in range(time - 1, -1, -1):
            state_gradient = state_gradients[step]
            gates = torch.mul(state_gradient[:, :, None], to_hidden_gates[step], out=hidden_gate_gradients[step])
            if step > 0:
                carried = torch.addcmul(state_gradients[step - 1], state_gradient, update[step])
                torch.baddbmm(
                    carried, gates.view(directions, batch, 3 * size), hidden_weight, out=state_gradients[step - 1]
                )
        input_gate_gradients = hidden_gate_gradients.clone()  # they differ only in the candidate's gate: r scales it
        torch.mul(state_gradients, to_candidate, out=input_gate_gradients[..., 2, :])
        gradients = _weight_gradients(
            inputs,
            input_weight,
            states[:-1],
            input_gate_gradients.view(time, directions, batch, 3 * size),
            hidden_gate_gradients.view(time, directions, batch, 3 * size),
        )
        return tuple(g if needed else None for g, needed in zip(gradients, context.needs_input_grad, strict=True))


_WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class _KernelGRU(torch.autograd.Function):
    """One bidirectional GRU layer whose time loops run in `_gru_kernel`, batch-major in and out.

    Both directions' input projections are one product, and so are their input gradients and input
    weight gradients: the kernel reads each text reversed within its length for the backward
    direction where the PyTorch path makes reversed copies. Arguments after `lengths` are the
    layer's weights in `_WEIGHT_NAMES` order, each forward then reverse, as `nn.GRU` names them.
    """

    @staticmethod
    def forward(context: Any, inputs: torch.Tensor, lengths: torch.Tensor, *weights: torch.Tensor) -> torch.Tensor:
        assert _gru_kernel is not None
        input_weight, hidden_weight, input_bias, hidden_bias = (torch.cat(weights[i : i + 2]) for i in (0, 2, 4, 6))
        batch, time, input_size = inputs.shape
        size = hidden_weight.shape[1]
        flat = inputs.reshape(batch * time, input_size)
        input_gates = torch.addmm(input_bias, flat, input_weight.T)  # (batch * time, direction * 3 * hidden)
        hidden_weight = hidden_weight.view(2, 3 * size, size)  # (direction, 3 * hidden, hidden)
        weight_t = hidden_weight.transpose(1, 2).contiguous()  # (direction, hidden, 3 * hidden)
        output = inputs.new_empty(batch, time, 2 * size)
        states = inputs.new_empty(2, time + 1, batch, size)  # the kernel writes all but the initial state
        states[:, 0] = 0.0
        gates = inputs.new_empty(2, time, batch, 3 * size)  # r, z and h W_hn + b_hn
        candidates = inputs.new_empty(2, time, batch, size)
        tensors = (lengths, input_gates, weight_t, hidden_bias, output, states, gates, candidates)
        _gru_kernel.forward(time, batch, size, *(tensor.data_ptr() for tensor in tensors))
        context.save_for_backward(flat, lengths, input_weight, hidden_weight, states, gates, candidates)
        return output  # (batch, time, 2 * hidden)

    @staticmethod
    def backward(context: Any, output_gradient: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        assert _gru_kernel is not None
        flat, lengths, input_weight, hidden_weight, states, gates, candidates = context.saved_tensors
        directions, time, batch, size = candidates.shape
        input_gate_gradients = flat.new_empty(batch * time, directions * 3 * size)
        hidden_gate_gradients = torch.empty_like(gates)  # (direction, time, batch, 3 * hidden)
        tensors = (lengths, output_gradient.contiguous(), hidden_weight.contiguous(), states, gates, candidates)
        pointers = (tensor.data_ptr() for tensor in (*tensors, input_gate_gradients, hidden_gate_gradients))
        _gru_kernel.backward(time, batch, size, *pointers)
        needed = context.needs_input_grad
        input_gradient = weight_gradients = None
        if needed[0]:  # not for a frozen embedding: this product is a sixth of a step's arithmetic
            input_gradient = (input_gate_gradients @ input_weight).view(batch, time, -1)  # (batch, time, input)
        if any(needed[2:]):
            by_step = hidden_gate_gradients.view(directions, time * batch, 3 * size)
            previous = states[:, :-1].reshape(directions, time * batch, size)
            weight_gradients = (
                *(input_gate_gradients.T @ flat).chunk(2),  # the input weights' gradients
                *torch.bmm(by_step.transpose(1, 2), previous).unbind(0),  # the recurrent weights'
                *input_gate_gradients.sum(0).chunk(2),
                *by_step.sum(1).unbind(0),
            )
        gradients = (input_gradient, None, *(weight_gradients or [None] * 8))
        return tuple(g if want else None for g, want in zip(gradients, needed, strict=True))


def _weight_gradients(
    inputs: torch.Tensor,
    input_weight: torch.Tensor,
    previous: torch.Tensor,
    input_gate_gradients: torch.Tensor,
    hidden_gate_gradients: torch.Tensor,
) -> tuple[torch.Tensor, ...]:
    directions, time, batch, input_size = inputs.shape

    def by_direction(values: torch.Tensor) -> torch.Tensor:
        # (time, direction, batch, n) -> (direction, time * batch, n)
        return values.transpose(0, 1).reshape(directions, time * batch, values.shape[3])

    input_gates, hidden_gates = by_direction(input_gate_gradients), by_direction(hidden_gate_gradients)
    flat_inputs = inputs.reshape(directions, time * batch, input_size)
    input_gradient = torch.bmm(input_gates, input_weight).view(directions, time, batch, input_size)
    input_weight_gradient = torch.bmm(input_gates.transpose(1, 2), flat_inputs)  # (direction, 3 * hidden, input)
    hidden_weight_gradient = torch.bmm(hidden_gates.transpose(1, 2), by_direction(previous))
    return input_gradient, input_weight_gradient, hidden_weight_gradient, input_gates.sum(1), hidden_gates.sum(1)

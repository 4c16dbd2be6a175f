"""The training step's gradient clipping: PyTorch's `clip_grad_norm_`, the same numbers."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from attnviz.config import ModelConfig
from attnviz.nn.network import AttentionClassifierNetwork
from attnviz.training.trainer import clip_gradients


def network_with_gradients(scale: float) -> AttentionClassifierNetwork:
    torch.manual_seed(0)
    network = AttentionClassifierNetwork(
        ModelConfig(vocabulary_size=30, num_classes=3, embedding_size=8, hidden_size=8)
    )
    for parameter in network.parameters():
        parameter.grad = torch.randn_like(parameter) * scale
    network.output.bias.grad = None  # a weight without a gradient is left out, as PyTorch leaves it
    return network


@pytest.mark.parametrize("scale", [0.001, 1.0, 100.0])  # below, around and far above the clipping norm
def test_clips_exactly_as_pytorch_does(scale: float) -> None:
    ours, theirs = network_with_gradients(scale), network_with_gradients(scale)
    clip_gradients(list(ours.parameters()), 5.0)
    nn.utils.clip_grad_norm_(theirs.parameters(), 5.0)
    for mine, reference in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert (mine.grad is None) == (reference.grad is None)
        if mine.grad is not None:
            assert torch.equal(mine.grad, reference.grad)


def test_a_norm_below_the_limit_leaves_the_gradients_and_one_above_is_scaled_to_it() -> None:
    small, large = network_with_gradients(0.001), network_with_gradients(100.0)
    before = copy.deepcopy([p.grad for p in small.parameters()])
    clip_gradients(list(small.parameters()), 5.0)
    clip_gradients(list(large.parameters()), 5.0)
    assert all(
        (a is None and b is None) or torch.allclose(a, b)
        for a, b in zip(before, [p.grad for p in small.parameters()], strict=True)
    )
    norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in large.parameters() if p.grad is not None]))
    assert norm == pytest.approx(5.0, rel=1e-5)


def test_a_network_without_gradients_is_left_alone() -> None:
    network = network_with_gradients(1.0)
    network.zero_grad(set_to_none=True)
    clip_gradients(list(network.parameters()), 5.0)
    assert all(parameter.grad is None for parameter in network.parameters())

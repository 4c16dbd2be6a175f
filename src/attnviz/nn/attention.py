"""Attention layers: score each time step, take a masked softmax over time, pool the hidden states.

Every layer has the same interface: `forward(hidden (batch, time, features), mask (batch, time))`
returns the pooled vector (batch, features), the weights (batch, time) and per-class scores
(batch, time, classes) or None when the form has no per-class scores of its own.
"""

from __future__ import annotations

import torch
from torch import nn


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Softmax over the last dimension in float32, exactly zero where `mask` is false.

    One maximum per row (not per batch) keeps short and long texts in one batch numerically alike;
    a row with no real token gives zeros instead of NaN.
    """
    scores = scores.float()
    masked = scores.masked_fill(~mask, torch.finfo(torch.float32).min)
    shifted = masked - masked.max(dim=-1, keepdim=True).values
    exponentials = shifted.exp() * mask  # padding contributes exactly 0
    return exponentials / exponentials.sum(dim=-1, keepdim=True).clamp_min(torch.finfo(torch.float32).tiny)


def pool(hidden: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    return torch.bmm(weights.unsqueeze(1).to(hidden.dtype), hidden).squeeze(1)  # (batch, features)


class MaxClassAttention(nn.Module):
    """The write-up's layer (DeepMoji's AttentionWeightedAverage, per class): `e = h W` with `W` of
    shape (features, classes), `a_t = max_c e_tc`, softmax over time, weighted average of `h`."""

    def __init__(self, features: int, num_classes: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(features, num_classes))
        nn.init.xavier_uniform_(self.weight)

    def forward(
        self, hidden: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        class_scores = hidden.float() @ self.weight.float()  # (batch, time, classes)
        weights = masked_softmax(class_scores.max(dim=-1).values, mask)  # (batch, time)
        return pool(hidden, weights), weights, class_scores


class AdditiveAttention(nn.Module):
    """Bahdanau-style scoring as in hierarchical attention networks: `e_t = v . tanh(W h_t + b)`."""

    def __init__(self, features: int, num_classes: int, attention_size: int | None = None) -> None:
        super().__init__()
        size = attention_size or features
        self.project = nn.Linear(features, size)
        self.context = nn.Linear(size, 1, bias=False)

    def forward(
        self, hidden: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        scores = self.context(torch.tanh(self.project(hidden))).squeeze(-1)  # (batch, time)
        weights = masked_softmax(scores, mask)
        return pool(hidden, weights), weights, None


class DotAttention(nn.Module):
    """DeepMoji's single-vector form: `e_t = h_t . w`."""

    def __init__(self, features: int, num_classes: int) -> None:
        super().__init__()
        self.vector = nn.Parameter(torch.empty(features, 1))
        nn.init.xavier_uniform_(self.vector)

    def forward(
        self, hidden: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        scores = (hidden.float() @ self.vector.float()).squeeze(-1)  # (batch, time)
        weights = masked_softmax(scores, mask)
        return pool(hidden, weights), weights, None


# A closed registry: a saved config names one of these keys, never a class path to import.
ATTENTION_LAYERS: dict[str, type[MaxClassAttention] | type[AdditiveAttention] | type[DotAttention]] = {
    "max-class": MaxClassAttention,
    "additive": AdditiveAttention,
    "dot": DotAttention,
}

"""The whole classifier network: encoder -> attention -> dropout -> linear."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from attnviz.config import ModelConfig
from attnviz.nn.attention import ATTENTION_LAYERS, PerClassAttention, pool, pool_evidence
from attnviz.nn.encoder import RecurrentEncoder


class AttentionOutput(NamedTuple):
    logits: torch.Tensor  # (batch, classes)
    weights: torch.Tensor  # (batch, time): the attention used; zero on padding
    class_scores: torch.Tensor  # (batch, time, classes): each class's own score per token


class AttentionClassifierNetwork(nn.Module):
    """Embedding -> bidirectional RNN -> attention -> dropout -> linear.

    One set of weights serves prediction (`forward(ids, lengths)` -> logits) and explanation
    (`forward(ids, lengths, return_attention=True)` -> logits, weights and per-class scores from
    the same pass).
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        if config.vocabulary_size < 2 or config.num_classes < 2:
            raise ValueError("the network needs a vocabulary and at least two classes")
        self.config = config
        self.encoder = RecurrentEncoder(config)
        features = self.encoder.output_size
        self.attention = (
            PerClassAttention()
            if config.attention == "per-class"
            else ATTENTION_LAYERS[config.attention](features, config.num_classes)
        )
        self.dropout = nn.Dropout(config.dropout)
        if config.attention == "per-class":
            # Its evidence reads each token's own embedding beside its state, so a word's evidence stays
            # at the word instead of being spread over its neighbours by the RNN (SST-2, attention's
            # comprehensiveness AOPC 0.352 -> 0.362 at equal accuracy).
            features += config.embedding_size
        self.output = nn.Linear(features, config.num_classes)
        nn.init.xavier_uniform_(self.output.weight)
        nn.init.zeros_(self.output.bias)

    def forward(
        self,
        token_ids: torch.Tensor,
        lengths: torch.Tensor,
        return_attention: bool = False,
        *,
        embedded: torch.Tensor | None = None,
        detach_attention: bool = False,
    ) -> torch.Tensor | AttentionOutput:
        """`token_ids` (batch, time) padded with 0, `lengths` (batch,) on the CPU.

        For attribution methods: `embedded` replaces the embedding lookup (gradients on the
        embeddings); `detach_attention` stops gradients through the weights (gradients as Jain &
        Wallace compare them with attention).
        """
        states, mask = self._read(token_ids, lengths, embedded)
        if isinstance(self.attention, PerClassAttention):
            logits, weights, class_scores = self._per_class(states, mask, detach_attention)
        else:
            logits, weights, class_scores = self._pooled(states, mask, detach_attention)
        if not return_attention:
            return logits
        return AttentionOutput(logits, weights, class_scores.masked_fill(~mask[:, :, None], 0.0))

    def logits_with_attention(
        self, token_ids: torch.Tensor, lengths: torch.Tensor, attention: torch.Tensor
    ) -> torch.Tensor:
        """(batch, weightings, classes): the logits with each weighting of `attention` (batch, weightings,
        time) in place of the weights the attention computes (every class's, for per-class attention). The
        RNN runs once for all of a text's weightings: the permutation test gives each text a hundred."""
        states, mask = self._read(token_ids, lengths)
        weights = attention.float() * mask[:, None, :]  # (batch, weightings, time): none on padding
        if isinstance(self.attention, PerClassAttention):
            centred, _, _ = self.attention(self.output(self.dropout(states)), mask)  # (batch, time, classes)
            logits: torch.Tensor = weights @ centred  # (batch, weightings, classes)
            return logits
        pooled = weights.to(states.dtype) @ states  # (batch, weightings, features)
        logits = self.output(self.dropout(pooled))  # (batch, weightings, classes)
        return logits

    def _read(
        self, token_ids: torch.Tensor, lengths: torch.Tensor, embedded: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The states attention weighs (batch, time, features), beside each token's own embedding for
        per-class attention, and the mask of real tokens (batch, time)."""
        if embedded is None and self.encoder.looks_up_gates(token_ids):
            hidden = self.encoder.states_of_tokens(token_ids, lengths)  # (batch, time, features)
        else:
            embedded = self.encoder.embed(token_ids) if embedded is None else embedded  # (batch, time, embedding)
            hidden = self.encoder(embedded, lengths)  # (batch, time, features)
        if isinstance(self.attention, PerClassAttention):
            embedded = self.encoder.embed(token_ids) if embedded is None else embedded
            hidden = torch.cat([hidden, embedded.to(hidden.dtype)], dim=-1)  # (batch, time, features + embedding)
        mask = torch.arange(token_ids.shape[1], device=token_ids.device) < lengths.to(token_ids.device)[:, None]
        return hidden, mask

    def _pooled(
        self, hidden: torch.Tensor, mask: torch.Tensor, detach_attention: bool
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One attention over the hidden states, then dropout and the output layer."""
        pooled, weights, class_scores = self.attention(hidden, mask)  # (batch, features), (batch, time)
        if detach_attention:
            weights = weights.detach()
            pooled = pool(hidden, weights)  # (batch, features)
        logits: torch.Tensor = self.output(self.dropout(pooled))  # (batch, classes)
        if class_scores is None:
            # Forms without per-class scores: each class's view is what the output layer makes of
            # every token's state on its own.
            class_scores = hidden.float() @ self.output.weight.float().T  # (batch, time, classes)
        return logits, weights, class_scores

    def _per_class(
        self, hidden: torch.Tensor, mask: torch.Tensor, detach_attention: bool
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Each class's own attention over the output layer's evidence per token; the weights reported
        are the predicted class's."""
        evidence = self.output(self.dropout(hidden))  # (batch, time, classes)
        centred, class_weights, class_scores = self.attention(evidence, mask)  # (batch, classes, time)
        if detach_attention:
            class_weights = class_weights.detach()
        logits = pool_evidence(class_weights, centred)  # (batch, classes)
        predicted = logits.argmax(dim=-1)[:, None, None].expand(-1, 1, class_weights.shape[2])
        return logits, class_weights.gather(1, predicted).squeeze(1), class_scores

    def extra_repr(self) -> str:
        c = self.config
        return f"rnn={c.rnn}, layers={c.layers}, attention={c.attention}, classes={c.num_classes}"

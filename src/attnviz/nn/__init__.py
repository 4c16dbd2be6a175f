"""The network: a recurrent encoder, interchangeable attention layers, the classifier around them."""

from attnviz.nn.attention import (
    ATTENTION_LAYERS,
    AdditiveAttention,
    DotAttention,
    MaxClassAttention,
    masked_softmax,
)
from attnviz.nn.encoder import RecurrentEncoder
from attnviz.nn.network import AttentionClassifierNetwork, AttentionOutput

__all__ = [
    "ATTENTION_LAYERS",
    "AdditiveAttention",
    "AttentionClassifierNetwork",
    "AttentionOutput",
    "DotAttention",
    "MaxClassAttention",
    "RecurrentEncoder",
    "masked_softmax",
]

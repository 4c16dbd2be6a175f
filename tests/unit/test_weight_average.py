"""The moving average of the weights that validation, early stopping and the saved model use."""

from __future__ import annotations

import pytest
import torch

from attnviz.config import ModelConfig, TrainingConfig
from attnviz.errors import ConfigError
from attnviz.nn.network import AttentionClassifierNetwork
from attnviz.training.trainer import WeightAverage


def network_with(value: float) -> AttentionClassifierNetwork:
    network = AttentionClassifierNetwork(
        ModelConfig(vocabulary_size=10, num_classes=2, embedding_size=4, hidden_size=3)
    )
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.fill_(value)
    return network


def averaged_value(average: WeightAverage) -> float:
    values = {round(float(p.detach().flatten()[0]), 6) for p in average.network.parameters()}
    assert len(values) == 1
    return values.pop()


def test_is_the_plain_mean_until_the_window_fills_then_an_exponential_average() -> None:
    network = network_with(0.0)
    average = WeightAverage(network, decay=0.5)  # window of 2 steps
    for value in (1.0, 3.0):
        with torch.no_grad():
            for parameter in network.parameters():
                parameter.fill_(value)
        average.update(network)
    assert averaged_value(average) == pytest.approx(2.0)  # mean of 1 and 3: the initial 0 is gone
    with torch.no_grad():
        for parameter in network.parameters():
            parameter.fill_(6.0)
    average.update(network)
    assert averaged_value(average) == pytest.approx(4.0)  # 0.5 * 2 + 0.5 * 6


def test_the_network_itself_is_untouched_and_decay_zero_turns_it_off() -> None:
    network = network_with(1.0)
    average = WeightAverage(network, decay=0.9)
    assert average.network is not network
    off = WeightAverage(network, decay=0.0)
    off.update(network)
    assert off.network is network and float(next(network.parameters()).detach().flatten()[0]) == 1.0


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5])
def test_decay_must_be_below_one(bad: float) -> None:
    with pytest.raises(ConfigError, match="weight_average must be from 0"):
        TrainingConfig(weight_average=bad)

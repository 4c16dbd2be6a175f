"""What each training-speed technique is worth: one technique turned off at a time, on SST-2 sentences.

usage: python benchmarks/training_speed.py [--data ../shared/data] [--rounds 3] [--threads 2] [--compile]

Trains the default network (its vocabulary, encoding and word-vector start as `fit` makes them) for one
epoch per measurement and prints real tokens per second (padding excluded) for:
  shipped        what `attnviz train` does: length-bucketed batches of 32, the hand-written bidirectional
                 GRU backward pass (attnviz.nn.recurrence) with its loops in the C kernel, PyTorch's fused
                 AdamW, every --threads thread
  no bucketing   batches of 32 random texts (more padding per batch)
  PyTorch loops  the hand-written pass with its time loops as PyTorch operations instead of the C kernel
                 (what a machine without a C compiler at install time runs)
  nn.GRU packed  PyTorch's own GRU on packed sequences, with its autograd, instead of the hand-written pass
  plain AdamW    PyTorch's default (foreach) AdamW instead of the fused kernel
  1 thread       torch.set_num_threads(1)
  batch 64       the peers' batch size (accuracy not measured here; the default stays 32)
  torch.compile  (with --compile) the network compiled by inductor with dynamic shapes; its compile time
                 is printed apart and left out of the rate
Each technique starts from the same initial weights; the variants run interleaved, --rounds times, and the
median is printed with the ratio to `shipped`. Timings on a shared 2-core machine vary: compare within a run.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import sst2
from rnn_speed import packed_gru

import attnviz.classifier as classifier_module
import attnviz.nn.encoder as encoder_module
import attnviz.nn.recurrence as recurrence_module
import attnviz.training.trainer as trainer_module
from attnviz import TextClassifier
from attnviz.config import TrainingConfig
from attnviz.nn.network import AttentionClassifierNetwork
from attnviz.training.allocator import freed_memory_kept
from attnviz.training.trainer import EncodedData, SilentCallback, WeightAverage

Variant = Callable[[], Any]  # a context manager factory: the technique turned off while it is open


def prepared(texts: list[str], labels: list[str]) -> tuple[AttentionClassifierNetwork, EncodedData]:
    """The network and encoded data exactly as `TextClassifier.fit` builds them, without training."""
    captured: dict[str, Any] = {}

    def capture(network: AttentionClassifierNetwork, train: EncodedData, *rest: Any, **options: Any) -> list[Any]:
        captured.update(network=copy.deepcopy(network), train=train)
        return []

    with mock.patch.object(classifier_module, "train_network", capture):
        TextClassifier().fit(texts, labels)
    return captured["network"], captured["train"]


def epoch_rate(network: AttentionClassifierNetwork, train: EncodedData, config: TrainingConfig) -> float:
    """Real tokens per second of one training epoch of `network` (trained in place)."""
    device = torch.device("cpu")
    optimizer = trainer_module.build_optimizer(network, config, device)
    average = WeightAverage(network, config.weight_average)
    generator = np.random.default_rng(config.seed)
    _, seconds, tokens = trainer_module._train_epoch(
        network, optimizer, train, config, device, generator, SilentCallback(), 1, average
    )
    return tokens / seconds


def _random_batches(lengths: list[int], batch_size: int, generator: np.random.Generator) -> list[list[int]]:
    order = generator.permutation(len(lengths)).tolist()
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


@contextmanager
def _threads(count: int) -> Iterator[None]:
    saved = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(saved)


def variants() -> dict[str, Variant]:
    return {
        "shipped": contextlib.nullcontext,
        "no bucketing": lambda: mock.patch.object(trainer_module, "bucketed_order", _random_batches),
        "PyTorch loops": lambda: mock.patch.object(recurrence_module, "_gru_kernel", None),
        "nn.GRU packed": lambda: mock.patch.object(encoder_module, "bidirectional_gru", packed_gru),
        "plain AdamW": lambda: mock.patch.object(trainer_module, "FUSED_OPTIMIZER_DEVICES", ()),
        "1 thread": lambda: _threads(1),
    }


def measure(network: AttentionClassifierNetwork, train: EncodedData, rounds: int) -> dict[str, list[float]]:
    config, wide = TrainingConfig(), TrainingConfig(batch_size=64)
    rates: dict[str, list[float]] = {name: [] for name in [*variants(), "batch 64"]}
    for round_number in range(rounds):
        for name, variant in variants().items():
            with variant():
                rates[name].append(epoch_rate(copy.deepcopy(network), train, config))
        rates["batch 64"].append(epoch_rate(copy.deepcopy(network), train, wide))
        print(f"round {round_number + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in rates.items()), flush=True)
    return rates


def measure_compiled(network: AttentionClassifierNetwork, train: EncodedData, rounds: int) -> list[float]:
    compiled = torch.compile(copy.deepcopy(network), dynamic=True)
    started = time.perf_counter()
    first = epoch_rate(compiled, train, TrainingConfig())  # type: ignore[arg-type]
    print(f"torch.compile: first epoch (compiling) {time.perf_counter() - started:.0f} s, {first:,.0f} tokens/s")
    return [epoch_rate(compiled, train, TrainingConfig()) for _ in range(rounds)]  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compile", action="store_true", help="also measure torch.compile (slow to compile)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    (texts, labels), _, _ = sst2(args.data)
    network, train = prepared(texts, labels)
    print(f"torch {torch.__version__}, {args.threads} threads, SST-2: {len(train):,} training sentences")
    with freed_memory_kept():  # as `train_network` runs its epochs
        rates = measure(network, train, args.rounds)
        if args.compile:
            rates["torch.compile"] = measure_compiled(network, train, args.rounds)
    shipped = statistics.median(rates["shipped"])
    print(f"\n{'variant':<16} {'tokens/s (median)':>18} {'÷ shipped':>10}")
    for name, values in rates.items():
        rate = statistics.median(values)
        print(f"{name:<16} {rate:>18,.0f} {rate / shipped:>9.2f}x")


if __name__ == "__main__":
    main()

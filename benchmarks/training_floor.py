"""What a training step of the default network spends, against what the 30 %-of-matmul goal allows it.

usage: python benchmarks/training_floor.py [--threads 2] [--repeats 30] [--vocabulary 6762]

For each batch shape (batch, words per text; every text that long), in one process:
  full step      attnviz's own training step (`trainer.train_step`: loss, backward, clipping, fused
                 AdamW, weight average) on random words, median of the repeats;
  small vocab    the same step with a 100-word vocabulary: the difference is the part of the step that
                 grows with the vocabulary (the embedding's dense gradient is zero-filled, its norm taken
                 for clipping, and AdamW and the weight average pass over every row, every step);
  products only  the step's matrix products alone, at their real shapes and in the order the step runs
                 them (input projection, one recurrent product per word and direction forward and back,
                 the input and weight gradients), with nothing else in between;
  step % of rate the full step's FLOPs per second as a fraction of the fp32 2048^3 matmul rate;
  goal           the step time at which training would run at 30 % of the fp32 2048^3 matmul rate measured
                 in the same run (FLOPs per token as benchmarks/compare.py counts them).
If the products alone take longer than the goal allows, no change outside them can reach it: they are the
work the FLOP count counts, run at the speed this CPU gives matrices of these sizes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import matmul_gflops, train_flops_per_token

from attnviz.config import ModelConfig, TrainingConfig
from attnviz.nn.network import AttentionClassifierNetwork
from attnviz.training.allocator import freed_memory_kept
from attnviz.training.batching import make_batch
from attnviz.training.trainer import WeightAverage, build_optimizer, train_step

SHAPES = [(32, 21), (64, 21), (32, 230)]  # an SST-2 bucket, the same at the peer's batch size, IMDB
GOAL = 0.30
EMBEDDING, HIDDEN, CLASSES = 128, 64, 2


def median_ms(run: Callable[[], object], repeats: int) -> float:
    for _ in range(3):  # warm-up: allocator, thread pool, the optimiser's state
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def full_step(vocabulary: int, batch: int, words: int) -> Callable[[], object]:
    network = AttentionClassifierNetwork(ModelConfig(vocabulary_size=vocabulary, num_classes=CLASSES))
    config, device, generator = TrainingConfig(), torch.device("cpu"), np.random.default_rng(0)
    optimizer, average = build_optimizer(network, config, device), WeightAverage(network, config.weight_average)
    texts = torch.randint(2, vocabulary, (batch, words)).tolist()
    data = make_batch(list(range(batch)), texts, [i % CLASSES for i in range(batch)])
    assert data.labels is not None
    labels = data.labels
    network.train()
    return lambda: train_step(network, optimizer, average, data, labels, config, generator)


def products_only(batch: int, words: int) -> Callable[[], object]:
    """The step's matrix products for both directions (a leading axis of 2) as PyTorch products, the recurrent
    ones one a step as the PyTorch loops of `nn.recurrence` run them (the C kernel runs its own)."""
    gates = 3 * HIDDEN
    inputs, input_weight = torch.randn(2, words * batch, EMBEDDING), torch.randn(2, EMBEDDING, gates)
    bias, state, hidden_weight = torch.randn(2, 1, gates), torch.randn(2, batch, HIDDEN), torch.randn(2, HIDDEN, gates)
    step_gates, gate_gradients = torch.empty(2, batch, gates), torch.randn(2, words * batch, gates)
    state_gradient, previous = torch.empty(2, batch, HIDDEN), torch.randn(2, words * batch, HIDDEN)
    hidden_weight_t, input_weight_t = hidden_weight.transpose(1, 2), input_weight.transpose(1, 2)

    def run() -> None:
        torch.baddbmm(bias, inputs, input_weight)  # (direction, time * batch, 3 * hidden)
        for _ in range(words):
            torch.baddbmm(bias, state, hidden_weight, out=step_gates)  # (direction, batch, 3 * hidden)
        for _ in range(words - 1):
            torch.baddbmm(state, step_gates, hidden_weight_t, out=state_gradient)  # (direction, batch, hidden)
        torch.bmm(gate_gradients, input_weight_t)  # input gradient (direction, time * batch, embedding)
        torch.bmm(gate_gradients.transpose(1, 2), inputs)  # input weight gradient (direction, 3H, embedding)
        torch.bmm(gate_gradients.transpose(1, 2), previous)  # hidden weight gradient (direction, 3H, H)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--vocabulary", type=int, default=6762, help="the default SST-2 model's vocabulary")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ceiling = matmul_gflops()
    flops = train_flops_per_token(EMBEDDING, HIDDEN, CLASSES)
    print(f"fp32 matmul (2048^3), {args.threads} thread(s): {ceiling:.1f} GFLOP/s; {flops:,} training FLOPs a token")
    print(f"{'batch x words':>13} {'full step ms':>12} {'small vocab':>11} {'products only':>13} "
          f"{'goal ms':>8} {'step % of rate':>14} {'products % of rate':>18}")  # fmt: skip
    with freed_memory_kept():  # as training runs
        measure_shapes(args, ceiling, flops)


def measure_shapes(args: argparse.Namespace, ceiling: float, flops: int) -> None:
    for batch, words in SHAPES:
        step_flops = flops * batch * words
        full = median_ms(full_step(args.vocabulary, batch, words), args.repeats)
        small = median_ms(full_step(100, batch, words), args.repeats)
        products = median_ms(products_only(batch, words), args.repeats)
        goal = step_flops / (GOAL * ceiling * 1e9) * 1000
        rate = [step_flops / (milliseconds / 1000) / (ceiling * 1e9) for milliseconds in (full, products)]
        print(
            f"{f'{batch} x {words}':>13} {full:>12.2f} {small:>11.2f} {products:>13.2f} {goal:>8.2f} "
            f"{rate[0]:>14.1%} {rate[1]:>18.1%}",
            flush=True,
        )


if __name__ == "__main__":
    main()

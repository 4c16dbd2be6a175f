"""Time one training step of the bidirectional GRU: PyTorch's `nn.GRU` on packed sequences against
attnviz's hand-written CPU path (`attnviz.nn.recurrence`), at the sizes of the default model.

usage: python benchmarks/rnn_speed.py [--threads 2] [--repeats 5]

Per batch shape (SST-2-like sentences, IMDB-like reviews): forward plus backward time of the recurrent
layer alone and real tokens per second, median of the repeats, and prediction (no gradients) time too.
Lengths are drawn between 80 % and 100 % of the longest, as length bucketing leaves them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from attnviz.nn.recurrence import bidirectional_gru

SHAPES = [(32, 20), (128, 20), (32, 400), (64, 400)]  # (batch, longest text)
Path = Callable[[nn.GRU, torch.Tensor, torch.Tensor], torch.Tensor]


def packed_gru(rnn: nn.GRU, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
    output, _ = rnn(packed)
    return pad_packed_sequence(output, batch_first=True, total_length=embedded.shape[1])[0]


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    run()  # warm-up: allocator and thread pool
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def train_step(path: Path, rnn: nn.GRU, embedded: torch.Tensor, lengths: torch.Tensor) -> Callable[[], object]:
    def run() -> None:
        torch.autograd.backward(path(rnn, embedded, lengths).sum())

    return run


def predict_step(path: Path, rnn: nn.GRU, embedded: torch.Tensor, lengths: torch.Tensor) -> Callable[[], object]:
    def run() -> object:
        with torch.no_grad():
            return path(rnn, embedded, lengths)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    torch.manual_seed(0)
    rnn = nn.GRU(128, 64, batch_first=True, bidirectional=True)  # the default model's sizes
    print(f"torch {torch.__version__}, {arguments.threads} threads; real tokens/s, median of {arguments.repeats}")
    print(f"{'batch x time':>13} {'train nn.GRU':>13} {'train attnviz':>14} {'speed-up':>9} {'predict nn.GRU':>15}")
    for batch, longest in SHAPES:
        lengths = torch.randint(int(0.8 * longest), longest + 1, (batch,))
        lengths[0] = longest
        embedded = torch.randn(batch, longest, 128, requires_grad=True)
        tokens = int(lengths.sum())
        plain = tokens / median_seconds(train_step(packed_gru, rnn, embedded, lengths), arguments.repeats)
        ours = tokens / median_seconds(train_step(bidirectional_gru, rnn, embedded, lengths), arguments.repeats)
        predict = tokens / median_seconds(predict_step(packed_gru, rnn, embedded, lengths), arguments.repeats)
        shape = f"{batch} x {longest}"
        print(f"{shape:>13} {plain:>13,.0f} {ours:>14,.0f} {ours / plain:>8.1f}x {predict:>15,.0f}")


if __name__ == "__main__":
    main()

"""Train attnviz with its default settings on the shared real data sets and print the figures.

usage: python benchmarks/accuracy.py [--data ../shared/data] [--seeds 0 1 2] [--sets sst2 emotion agnews imdb]
                                     [--json results.json] [--threads 2]

Per data set: test accuracy (mean and standard deviation over the seeds), training time, training
tokens/s (real, non-padding tokens per second of training, median over epochs) and explain
texts/s (attention explanations of the whole test set, batched). Splits match
../shared/peers/data.py so the figures compare with the peers' README.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

from attnviz import TextClassifier, read_dataset

Split = tuple[list[str], list[str]]
GOALS = {"sst2": 0.82, "imdb": 0.89, "emotion": 0.925, "agnews": 0.86}


def _lines(path: Path) -> list[str]:
    # split on "\n" only: str.splitlines() also splits on U+0085 and U+2028 inside texts
    return [line.rstrip("\r") for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def sst2(root: Path) -> tuple[Split, Split | None, Split]:
    folder = root / "sst2" / "sentences"
    read = lambda name: _pair(read_dataset(folder / f"stsa.binary.{name}", format="lines"))  # noqa: E731
    return read("train"), read("dev"), read("test")


def imdb(root: Path) -> tuple[Split, Split | None, Split]:
    read = lambda name: _pair(read_dataset(root / "imdb" / f"{name}.jsonl.gz"))  # noqa: E731
    return read("train"), None, read("test")


def emotion(root: Path) -> tuple[Split, Split | None, Split]:
    def read(name: str) -> Split:
        rows = [line.rsplit(";", 1) for line in _lines(root / "emotion" / f"{name}.txt")[1:]]
        return [row[0] for row in rows], [row[1] for row in rows]

    return read("train"), read("val"), read("test")


def agnews(root: Path) -> tuple[Split, Split | None, Split]:
    folder = root / "agnews" / "alps_subset"
    read = lambda name: _pair(read_dataset(folder / f"{name}.tsv", text_column=0, label_column=1))  # noqa: E731
    return read("dev"), None, read("test")


def _pair(dataset: object) -> Split:
    texts, labels = getattr(dataset, "texts"), getattr(dataset, "labels")  # noqa: B009
    return list(texts), list(labels)


LOADERS: dict[str, Callable[[Path], tuple[Split, Split | None, Split]]] = {
    "sst2": sst2, "emotion": emotion, "agnews": agnews, "imdb": imdb,
}  # fmt: skip


def run_once(name: str, splits: tuple[Split, Split | None, Split], seed: int) -> dict[str, float]:
    train, valid, test = splits
    started = time.perf_counter()
    model = TextClassifier(seed=seed).fit(
        train[0], train[1], valid_texts=valid[0] if valid else None, valid_labels=valid[1] if valid else None
    )
    fit_seconds = time.perf_counter() - started
    accuracy = model.evaluate(test[0], test[1])["accuracy"]
    started = time.perf_counter()
    model.explain(test[0])
    explain_seconds = time.perf_counter() - started
    history = model.history_
    return {
        "accuracy": accuracy,
        "fit_seconds": fit_seconds,
        "epochs": len(history),
        "best_epoch": min(history, key=lambda r: r["valid_loss"])["epoch"],
        "tokens_per_second": statistics.median(r["tokens_per_second"] for r in history),
        "explain_texts_per_second": len(test[0]) / explain_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--sets", nargs="+", choices=list(LOADERS), default=list(LOADERS))
    parser.add_argument("--json", type=Path, help="Also write every run's figures to this file.")
    parser.add_argument("--threads", type=int, default=2, help="Torch threads (the machine has 2 cores).")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results: dict[str, list[dict[str, float]]] = {}
    print(
        f"{'data set':<9} {'accuracy':>15} {'goal':>6} {'fit s':>7} {'epochs':>6} {'train tok/s':>11} {'explain/s':>10}"
    )
    for name in args.sets:
        splits = LOADERS[name](args.data)
        results[name] = [run_once(name, splits, seed) for seed in args.seeds]
        _print_row(name, results[name])
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))


def _print_row(name: str, runs: list[dict[str, float]]) -> None:
    accuracies = [run["accuracy"] * 100 for run in runs]
    spread = statistics.stdev(accuracies) if len(runs) > 1 else 0.0
    mean = lambda key: statistics.mean(run[key] for run in runs)  # noqa: E731
    print(
        f"{name:<9} {statistics.mean(accuracies):>7.2f} ± {spread:<5.2f} {GOALS[name] * 100:>6.1f} "
        f"{mean('fit_seconds'):>7.0f} {mean('epochs'):>6.1f} {mean('tokens_per_second'):>11,.0f} "
        f"{mean('explain_texts_per_second'):>10,.0f}",
        flush=True,
    )
    print(f"          seeds: {', '.join(f'{a:.2f}' for a in accuracies)}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()

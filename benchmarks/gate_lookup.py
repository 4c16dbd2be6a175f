"""Prediction with the GRU's input gates looked up (attnviz.nn.gate_lookup) against PyTorch's `nn.GRU`.

usage: python benchmarks/gate_lookup.py [--data ../shared/data] [--model FOLDER] [--sets sst2 imdb]
                                        [--limit 1000] [--rounds 15] [--threads 2]

For each data set's test texts (IMDB: the first --limit reviews) it times, with both paths taking turns
in one process so that a change in the machine's speed hits both alike:
  network   the network's attention pass over the length-sorted batches, one thread (what a worker does)
  predict   classifier.predict_proba(texts)
  explain   classifier.explain(texts) (attention)
and prints the median and best of --rounds, in ms or texts/s, and the largest difference in any class
probability between the paths. Without --model it trains the default model first (--epochs shortens it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import LOADERS

import attnviz.nn.encoder as encoder_module
from attnviz import TextClassifier
from attnviz.inference import _attend, encode_texts

PATHS = ("nn.GRU", "gate lookup")


@contextmanager
def path(name: str) -> Iterator[None]:
    if name == "gate lookup":
        yield
        return
    with mock.patch.object(encoder_module, "uses_lookup", lambda rnn, token_ids: False):
        yield


def timings(runs: dict[str, Callable[[], object]], rounds: int) -> dict[tuple[str, str], list[float]]:
    seconds: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for what, run in runs.items():
            for name in PATHS:
                with path(name):
                    started = time.perf_counter()
                    run()
                    seconds.setdefault((what, name), []).append(time.perf_counter() - started)
    return seconds


def compare(classifier: TextClassifier, texts: list[str], rounds: int, threads: int) -> None:
    network = classifier.network_
    sequences = encode_texts(texts, classifier.tokenizer_, classifier.vocabulary_, network.config.max_length).sequences

    def network_pass() -> None:
        _attend(network, sequences, classifier.device_, 1)
        torch.set_num_threads(threads)  # _attend set one thread, as in a worker

    runs = {
        "network": network_pass,
        "predict": lambda: classifier.predict_proba(texts),
        "explain": lambda: classifier.explain(texts),
    }
    probabilities = {}
    for name in PATHS:
        with path(name):
            probabilities[name] = classifier.predict_proba(texts)
            for run in runs.values():
                run()  # warm-up: the table is made here
    seconds = timings(runs, rounds)
    print(f"{'':<10} {'path':<12} {'median':>14} {'best':>14}")
    for (what, name), values in seconds.items():
        if what == "network":
            median, best = f"{1000 * statistics.median(values):,.0f} ms", f"{1000 * min(values):,.0f} ms"
        else:
            median, best = (f"{len(texts) / value:,.0f} texts/s" for value in (statistics.median(values), min(values)))
        print(f"{what:<10} {name:<12} {median:>14} {best:>14}")
    difference = abs(probabilities[PATHS[0]] - probabilities[PATHS[1]]).max()
    print(f"largest difference in a probability: {difference:.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--model", help="A saved model folder (with one set in --sets).")
    parser.add_argument("--epochs", type=int, help="Epochs for the models trained here (default: the library's).")
    parser.add_argument("--sets", nargs="+", default=["sst2"], choices=["sst2", "imdb"])
    parser.add_argument("--limit", type=int, default=1000, help="IMDB: the first N test reviews.")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    print(f"torch {torch.__version__}, {arguments.threads} threads")
    for name in arguments.sets:
        train, valid, test = LOADERS[name](arguments.data)
        if arguments.model:
            classifier = TextClassifier.load(arguments.model, device="cpu")
        else:
            settings = {"device": "cpu"} | ({"epochs": arguments.epochs} if arguments.epochs else {})
            validation = {"valid_texts": valid[0], "valid_labels": valid[1]} if valid else {}
            classifier = TextClassifier(**settings).fit(*train, **validation)
        texts = list(test[0] if name == "sst2" else test[0][: arguments.limit])
        print(f"\n== {name}: {len(texts):,} test texts, vocabulary {len(classifier.vocabulary_):,} ==")
        compare(classifier, texts, arguments.rounds, arguments.threads)


if __name__ == "__main__":
    main()

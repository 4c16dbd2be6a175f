"""Time `attnviz report` end to end on the 25,000 IMDB test reviews: read, explain, render, write.

usage: python benchmarks/report_imdb.py [--data ../shared/data] [--model DIR] [--out imdb-report.html]

Without --model it first trains a model with the default network sizes on 2,000 training reviews for
one epoch: accuracy does not matter here, and the time to explain depends on the network's sizes, not on
how well it was trained. The goal is at most 60 s for the whole report on 2 cores; the interpreter's own
start (importing torch) comes on top and is printed separately. Open the file with
`benchmarks/report_render.py --open FILE` to time it in Chromium.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from attnviz import TextClassifier, read_dataset
from attnviz.render.report import render_report
from attnviz.reporting import build_report
from attnviz.writers import write_text


def _quick_model(data: Path, folder: Path) -> Path:
    train = read_dataset(data / "imdb" / "train.jsonl.gz")
    assert train.labels is not None
    chosen = random.Random(0).sample(range(len(train.texts)), 2000)
    model = TextClassifier(epochs=1, seed=0).fit([train.texts[i] for i in chosen], [train.labels[i] for i in chosen])
    model.save(folder)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--model", type=Path, help="A saved model folder (default: train a quick one).")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "attnviz-imdb-report.html")
    arguments = parser.parse_args()
    model_folder = arguments.model or _quick_model(arguments.data, Path(tempfile.mkdtemp()) / "imdb")

    started = time.perf_counter()
    dataset = read_dataset(arguments.data / "imdb" / "test.jsonl.gz")
    read_at = time.perf_counter()
    classifier = TextClassifier.load(model_folder, device="cpu")
    report = build_report(classifier, dataset, model_folder)
    explained_at = time.perf_counter()
    page = render_report(report)
    rendered_at = time.perf_counter()
    write_text(arguments.out, page)
    done = time.perf_counter()

    print(f"texts: {len(dataset.texts):,}; file {arguments.out} ({len(page.encode()) / 1e6:.0f} MB)")
    print(f"read {read_at - started:.1f} s, explain {explained_at - read_at:.1f} s "
          f"({len(dataset.texts) / (explained_at - read_at):.0f} texts/s), render {rendered_at - explained_at:.1f} s, "
          f"write {done - rendered_at:.1f} s")  # fmt: skip
    print(f"report total {done - started:.1f} s (goal: at most 60 s on 2 cores)")


if __name__ == "__main__":
    main()

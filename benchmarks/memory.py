"""Peak resident memory of training on IMDB and of explaining its 25,000 test reviews, each in a fresh process.

usage: python benchmarks/memory.py [--data ../shared/data] [--work benchmark-work/memory] [--model FOLDER]
                                   [--sizes 6250 12500 25000] [--threads 2]

Steps, each a child process whose own peak resident memory (ru_maxrss from os.wait4) is reported:
  train            `attnviz train imdb/train.jsonl.gz -o WORK/imdb-model` with the defaults (skipped with --model).
  explain, stream  `attnviz explain MODEL --input FILE -o out.jsonl` on the first N test reviews for every N in
                   --sizes: the command streams, so its memory should stay flat as N grows (the JSON Lines
                   input is read as the texts are used, in blocks of lines).
  predict, stream  `attnviz predict MODEL --input FILE -o out.csv` on the same files: streams too.
  explain, list    the library's `classifier.explain(texts)` on all of them, which returns every explanation
                   at once: what streaming saves.
The peak of a bare `python -c "import attnviz.classifier"` is printed as the floor.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable
LIST_EXPLAIN = (
    "import json, sys; from attnviz import TextClassifier; "
    "texts = [json.loads(line)['text'] for line in open(sys.argv[2], encoding='utf-8')]; "
    "explanations = TextClassifier.load(sys.argv[1], device='cpu').explain(texts); print(len(explanations))"
)


def run_child(arguments: list[str], threads: int) -> tuple[float, float]:
    """(peak resident MB, seconds) of one child process; fails loudly when it does."""
    environment = os.environ | {"OMP_NUM_THREADS": str(threads)}
    started = time.perf_counter()
    child = subprocess.Popen(arguments, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(arguments)} failed: {child.stderr.read().decode() if child.stderr else ''}")
    return usage.ru_maxrss / 1024, seconds  # KiB on Linux


def write_subset(source: Path, target: Path, count: int) -> None:
    """The first `count` reviews of `source` as JSON Lines with a text field (labels dropped)."""
    with gzip.open(source, "rt", encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(lines):
            if number == count:
                break
            out.write(json.dumps({"text": json.loads(line)["text"]}, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = Path(__file__).resolve().parents[1]
    parser.add_argument("--data", type=Path, default=here.parent / "shared" / "data")
    parser.add_argument("--work", type=Path, default=here / "benchmark-work" / "memory")
    parser.add_argument("--model", type=Path, help="A model trained on IMDB (default: train one first).")
    parser.add_argument("--sizes", type=int, nargs="+", default=[6250, 12500, 25000])
    parser.add_argument("--threads", type=int, default=2)
    arguments = parser.parse_args()
    arguments.work.mkdir(parents=True, exist_ok=True)
    attnviz = [PYTHON, "-m", "attnviz"]
    rows = [("import attnviz.classifier", 0, *run_child([PYTHON, "-c", "import attnviz.classifier"], 1))]
    model = arguments.model or arguments.work / "imdb-model"
    if not arguments.model:
        train = [*attnviz, "train", str(arguments.data / "imdb" / "train.jsonl.gz"), "-o", str(model), "--quiet"]
        rows.append(("train (defaults)", 25000, *run_child(train, arguments.threads)))
    for size in arguments.sizes:
        subset = arguments.work / f"test-{size}.jsonl"
        write_subset(arguments.data / "imdb" / "test.jsonl.gz", subset, size)
        output = arguments.work / f"explained-{size}.jsonl"
        command = [*attnviz, "explain", str(model), "--input", str(subset), "-o", str(output)]
        rows.append(("explain, streamed to .jsonl", size, *run_child(command, arguments.threads)))
        command = [*attnviz, "predict", str(model), "--input", str(subset), "-o", str(arguments.work / "p.csv")]
        rows.append(("predict, streamed to .csv", size, *run_child(command, arguments.threads)))
    largest = arguments.work / f"test-{max(arguments.sizes)}.jsonl"
    command = [PYTHON, "-c", LIST_EXPLAIN, str(model), str(largest)]
    rows.append(("explain, whole list in memory", max(arguments.sizes), *run_child(command, arguments.threads)))
    print(f"IMDB, {arguments.threads} threads; peak resident memory of each step's own process")
    print(f"{'step':<32} {'texts':>7} {'peak MB':>9} {'seconds':>9}")
    for step, texts, peak, seconds in rows:
        print(f"{step:<32} {texts:>7,} {peak:>9,.0f} {seconds:>9.1f}")


if __name__ == "__main__":
    main()

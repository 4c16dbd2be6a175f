"""SST-2 sentences with and without pretrained word vectors (`--embeddings`).

usage: python benchmarks/embeddings.py [--data ../shared/data] [--vectors FILE] [--seeds 0 1 2] [--threads 2]

No pretrained vectors can be downloaded here, so without --vectors the script makes its own: fastText
skip-gram vectors (128 wide, 5 epochs, words seen 3 times) trained on the text of IMDB's 50,000
reviews, a corpus apart from SST-2, written as a fastText .vec file under --work. Then it trains
attnviz with its defaults on SST-2 sentences with and without them and prints test accuracy (mean
± std over the seeds). Needs the bench extra (fasttext-wheel) only to make the vectors.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import LOADERS

from attnviz import TextClassifier
from attnviz.text.tokenizer import Tokenizer


def make_vectors(data: Path, work: Path) -> Path:
    """Skip-gram vectors from IMDB's review texts (train and test; labels unused), as a .vec file."""
    import fasttext

    work.mkdir(parents=True, exist_ok=True)
    corpus, vectors = work / "imdb_corpus.txt", work / "imdb_skipgram.vec"
    tokenizer = Tokenizer(lowercase=True)
    with open(corpus, "w", encoding="utf-8") as out:
        for split in ("train", "test"):
            with gzip.open(data / "imdb" / f"{split}.jsonl.gz", "rt", encoding="utf-8") as lines:
                for line in lines:
                    out.write(" ".join(tokenizer.words(json.loads(line)["text"])) + "\n")
    started = time.perf_counter()
    model = fasttext.train_unsupervised(str(corpus), model="skipgram", dim=128, epoch=5, minCount=3, verbose=0)
    with open(vectors, "w", encoding="utf-8") as out:
        words = model.get_words()
        out.write(f"{len(words)} {model.get_dimension()}\n")
        for word in words:
            out.write(word + " " + " ".join(f"{x:.5f}" for x in model.get_word_vector(word)) + "\n")
    print(f"{len(words):,} vectors in {time.perf_counter() - started:.0f} s -> {vectors}", flush=True)
    return vectors


def accuracies(data: Path, seeds: list[int], vectors: Path | None) -> list[float]:
    train, valid, test = LOADERS["sst2"](data)
    assert valid is not None
    settings = {"embeddings": str(vectors)} if vectors else {}
    results = []
    for seed in seeds:
        started = time.perf_counter()
        model = TextClassifier(seed=seed, **settings).fit(
            train[0], train[1], valid_texts=valid[0], valid_labels=valid[1]
        )
        results.append(100 * model.evaluate(test[0], test[1])["accuracy"])
        print(f"{'with' if vectors else 'without'} vectors, seed {seed}: {results[-1]:.2f} % "
              f"({time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--vectors", type=Path, help="a word vectors file (default: make IMDB skip-gram vectors)")
    parser.add_argument("--work", type=Path, default=Path("benchmark-work"), help="where made vectors go")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    vectors = args.vectors or make_vectors(args.data, args.work)
    for name, path in (("without", None), ("with", vectors)):
        scores = accuracies(args.data, args.seeds, path)
        print(f"SST-2 {name} pretrained vectors: {statistics.mean(scores):.2f} ± {statistics.pstdev(scores):.2f} %")


if __name__ == "__main__":
    main()

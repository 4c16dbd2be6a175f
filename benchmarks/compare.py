"""attnviz next to fastText and TF-IDF + logistic regression on the shared real data sets, in one run.

usage: python benchmarks/compare.py [--data ../shared/data] [--sets sst2 sst2-phrases imdb emotion agnews 20news]
                                    [--sections accuracy speed memory] [--seeds 0 1 2] [--threads 2]
                                    [--limit N] [--json results.json] [--peers ../shared/peers]

Needs the bench extra: pip install -e '.[bench]' (fasttext-wheel, scikit-learn).

Sections (all by default):
  accuracy  per data set: attnviz with its defaults, fastText (the peers' settings: wordNgrams=2, epoch=25;
            the learning rate picked on the validation split from 0.1, 0.5, 1.0)
            and TF-IDF (word 1-2 grams, sublinear tf, min_df 2) + LogisticRegression (C picked on the
            validation split from 1, 4, 16). Accuracy (mean ± std over --seeds for attnviz and fastText; TF-IDF
            is deterministic, one run), training time, training tokens/s, prediction texts/s and the ratios
            to attnviz; then a summary table.
  speed     SST-2 sentences: attnviz against ../shared/peers/torch_peer.py (the same network in plain
            PyTorch, same sizes: Embedding 128, BiGRU 64, max-class attention), taking turns seed by seed,
            the machine's fp32 matmul rate (measured before, between and after them; the highest counts)
            and attnviz's training FLOP/s as a fraction of it.
  memory    peak resident memory (ru_maxrss) of a fresh process that loads one data set and trains one
            method on it (one per set and method; the plain PyTorch network on SST-2 sentences only).

Splits: SST-2 sentences train/dev/test; SST-2 phrases = GLUE train (phrases and sentences), GLUE dev as
validation, sentence test; Emotion official splits; IMDB, AG News (ALPS 10k subset -> official test) and
20 Newsgroups (bydate) have no validation split, so a stratified 10 % of train (seed 0) is held out and
every method trains on the rest, as ../shared/peers/data.py does. --limit N keeps a seeded random N texts
of each split (for quick checks only).

How things count (all times start from raw texts, so tokenising is included everywhere):
  training time    attnviz: the whole fit() (vocabulary, every epoch run including the early-stopping
                   ones, validation after each); fastText: tokenising, writing its training file and
                   train_supervised once with the chosen learning rate; TF-IDF + LR: fitting the pipeline once
                   with the chosen C (both searches are reported in the JSON only).
  train tokens/s   whitespace tokens of the raw training texts (str.split, the same count for every
                   method) x passes / training time. Passes: attnviz the epochs it ran, fastText its 25
                   epochs, TF-IDF 1 (the vectoriser reads each text once; LR iterates on the sparse matrix).
  predict texts/s  test texts / seconds to predict all of them (labels out, batched as each library does).
  speed section    model tokens (the networks' own tokens after truncation, padding excluded) per epoch /
                   median seconds of a training epoch after the first, as the peers' README counts them.
  FLOPs per token  one GRU layer, d directions (2), gates g (3 for a GRU), embedding E, hidden H, classes C:
                   forward = 2*g*(E*H + H*H)*d (input and recurrent matmuls; multiply-add = 2 FLOPs)
                             + 2*(d*H)*C (attention scores h W) + 2*(d*H) (attention-weighted sum);
                   training = 3 * forward (backward ~ 2x forward). Embedding look-ups, softmax, gate
                   non-linearities and the per-text output layer are left out (< 1 %).
                   E=128, H=64, C=2: 147,456 + 768 forward, 444,672 per training token.

Timings on a shared 2-core machine vary: compare speeds only within one run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import LOADERS, Split

from attnviz import TextClassifier, read_dataset
from attnviz.training.splitting import stratified_split

T = TypeVar("T")
Splits = tuple[Split, Split, Split]  # train, validation, test
Figures = dict[str, Any]

SETS = ["sst2", "sst2-phrases", "imdb", "emotion", "agnews", "20news"]
SECTIONS = ["accuracy", "speed", "memory"]
METHODS = ["attnviz", "fasttext", "tfidf"]
NAMES = {"attnviz": "attnviz", "fasttext": "fastText", "tfidf": "TF-IDF+LR", "torch-peer": "PyTorch plain"}
FASTTEXT = {"epoch": 25, "wordNgrams": 2}  # ../shared/peers/ft_peer.py's "bigram_ep25"
FASTTEXT_LR = (0.1, 0.5, 1.0)  # the peers' 0.1, and the values fastText's tutorial suggests for more
TFIDF_C = (1.0, 4.0, 16.0)  # ../shared/peers/tfidf_peer.py's grid
INSTALL = "pip install -e '.[bench]'"


# -- data ------------------------------------------------------------------------------------------


def _pair(dataset: object) -> Split:
    return list(getattr(dataset, "texts")), list(getattr(dataset, "labels"))  # noqa: B009


def sst2_phrases(root: Path) -> tuple[Split, Split | None, Split]:
    folder = root / "sst2" / "glue"
    read = lambda name: _pair(read_dataset(folder / f"{name}.tsv", text_column="sentence", label_column="label"))  # noqa: E731
    return read("train"), read("dev"), LOADERS["sst2"](root)[2]


def newsgroups(root: Path) -> tuple[Split, Split | None, Split]:
    read = lambda name: _pair(read_dataset(root / "20newsgroups" / f"{name}.jsonl.gz"))  # noqa: E731
    return read("train"), None, read("test")


ALL_LOADERS = {**LOADERS, "sst2-phrases": sst2_phrases, "20news": newsgroups}


def load(name: str, root: Path, limit: int | None) -> Splits:
    train, valid, test = ALL_LOADERS[name](root)
    if valid is None:  # the same rule as ../shared/peers/data.py
        train, valid = stratified_split(train[0], train[1], 0.1, 0)
    return _cap(train, limit), _cap(valid, limit), _cap(test, limit)


def _cap(split: Split, limit: int | None) -> Split:
    if limit is None or limit >= len(split[0]):
        return split
    keep = sorted(random.Random(0).sample(range(len(split[0])), limit))
    return [split[0][i] for i in keep], [split[1][i] for i in keep]


_TOKEN = re.compile(r"[\w']+|[^\w\s]")


def words(text: str) -> list[str]:
    """The baselines' tokens: ../shared/peers/data.py's tokeniser (lower-cased, punctuation split off)."""
    return _TOKEN.findall(text.replace("<br />", " ").replace("<br/>", " ").lower())


def whitespace_tokens(texts: Sequence[str]) -> int:
    return sum(len(text.split()) for text in texts)


# -- the three methods -----------------------------------------------------------------------------


def _need(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        sys.exit(f"compare.py needs the {module.split('.')[0]} package: {INSTALL}")


def _timed(function: Callable[..., T], *args: Any, **options: Any) -> tuple[T, float]:
    started = time.perf_counter()
    result = function(*args, **options)
    return result, time.perf_counter() - started


def _accuracy(predicted: Sequence[str], labels: Sequence[str]) -> float:
    return sum(p == y for p, y in zip(predicted, labels, strict=True)) / len(labels)


def _figures(
    labels: Sequence[str], predicted: Sequence[str], train: tuple[float, int, int], predict_s: float
) -> Figures:
    """train: (seconds, passes over the training texts, whitespace tokens of the training texts)."""
    seconds, passes, tokens = train
    return {
        "accuracy": _accuracy(predicted, labels),
        "train_seconds": seconds,
        "passes": passes,
        "train_tokens_per_second": tokens * passes / seconds,
        "predict_texts_per_second": len(labels) / predict_s,
    }


def run_attnviz(splits: Splits, seed: int) -> Figures:
    train, valid, test = splits
    model, seconds = _timed(TextClassifier(seed=seed).fit, *train, valid_texts=valid[0], valid_labels=valid[1])
    predicted, predict_s = _timed(model.predict, test[0])
    figures = _figures(test[1], predicted, (seconds, len(model.history_), whitespace_tokens(train[0])), predict_s)
    figures["model_tokens_per_second"] = steady_rate(*_epoch_tokens(model.history_))
    return figures


def run_fasttext(splits: Splits, seed: int, threads: int) -> Figures:
    """fastText with the learning rate that scores best on the validation split (like TF-IDF's C): the
    peers' 0.1 does not converge in 25 epochs on long posts (20 Newsgroups: 34.9 %)."""
    train, valid, test = splits
    classes = sorted(set(train[1]))
    started = time.perf_counter()
    scores = {}
    for lr in FASTTEXT_LR:
        candidate = _fasttext(train, classes, seed, threads, lr)
        scores[lr] = _accuracy(_fasttext_predict(candidate, valid[0], classes), valid[1])
    search_s = time.perf_counter() - started
    best = max(FASTTEXT_LR, key=lambda lr: (scores[lr], -lr))
    model, seconds = _timed(_fasttext, train, classes, seed, threads, best)
    predicted, predict_s = _timed(_fasttext_predict, model, test[0], classes)
    figures = _figures(test[1], predicted, (seconds, FASTTEXT["epoch"], whitespace_tokens(train[0])), predict_s)
    return {**figures, "lr": best, "valid_accuracy_by_lr": scores, "lr_search_seconds": search_s}


def _fasttext(train: Split, classes: list[str], seed: int, threads: int, lr: float) -> Any:
    """A trained model; the time includes tokenising and writing its training file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "train.txt"
        _write_fasttext(path, train, classes, seed)
        return _need("fasttext").train_supervised(str(path), thread=threads, seed=seed, verbose=0, lr=lr, **FASTTEXT)


def _fasttext_predict(model: Any, texts: Sequence[str], classes: list[str]) -> list[str]:
    found, _ = model.predict([" ".join(words(text)) for text in texts])
    return [classes[int(labels[0].removeprefix("__label__"))] for labels in found]


def _write_fasttext(path: Path, train: Split, classes: list[str], seed: int) -> None:
    """fastText reads its file in order and does not shuffle (sorted-by-label files ruin it): shuffled here."""
    order = list(range(len(train[0])))
    random.Random(seed).shuffle(order)
    index = {name: i for i, name in enumerate(classes)}
    lines = (f"__label__{index[train[1][i]]} {' '.join(words(train[0][i]))}\n" for i in order)
    path.write_text("".join(lines), encoding="utf-8")


def run_tfidf(splits: Splits, threads: int) -> Figures:
    threadpool_limits = _need("threadpoolctl").threadpool_limits
    train, valid, test = splits
    with threadpool_limits(threads):
        started = time.perf_counter()
        scores = {c: _tfidf_accuracy(_tfidf(c).fit(*train), valid) for c in TFIDF_C}
        search_s = time.perf_counter() - started
        best = max(TFIDF_C, key=lambda c: (scores[c], -c))
        model, seconds = _timed(_tfidf(best).fit, *train)
        predicted, predict_s = _timed(model.predict, test[0])
    figures = _figures(test[1], list(predicted), (seconds, 1, whitespace_tokens(train[0])), predict_s)
    return {**figures, "C": best, "valid_accuracy_by_C": scores, "C_search_seconds": search_s}


def _tfidf(c: float) -> Any:
    text = _need("sklearn.feature_extraction.text")
    linear, pipeline = _need("sklearn.linear_model"), _need("sklearn.pipeline")
    vectoriser = text.TfidfVectorizer(
        ngram_range=(1, 2), min_df=2, sublinear_tf=True, tokenizer=words, token_pattern=None, lowercase=False
    )
    return pipeline.make_pipeline(vectoriser, linear.LogisticRegression(C=c, max_iter=2000))


def _tfidf_accuracy(model: Any, split: Split) -> float:
    return _accuracy(list(model.predict(split[0])), split[1])


def run_method(method: str, splits: Splits, seed: int, threads: int) -> Figures:
    if method == "attnviz":
        return run_attnviz(splits, seed)
    if method == "fasttext":
        return run_fasttext(splits, seed, threads)
    return run_tfidf(splits, threads)


# -- accuracy section ------------------------------------------------------------------------------


def summarise(runs: list[Figures]) -> Figures:
    """Mean (and std with two runs or more) of every number in the runs."""
    out: Figures = {"runs": runs}
    for key, value in runs[0].items():
        if isinstance(value, int | float):
            values = [run[key] for run in runs]
            out[key] = statistics.mean(values)
            out[key + "_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
    return out


def accuracy_section(name: str, args: argparse.Namespace) -> Figures:
    splits = load(name, args.data, args.limit)
    result: Figures = {"sizes": [len(split[0]) for split in splits], "classes": len(set(splits[0][1]))}
    for method in METHODS:
        seeds = args.seeds[:1] if method == "tfidf" else args.seeds  # deterministic
        result[method] = summarise([run_method(method, splits, seed, args.threads) for seed in seeds])
    print_set(name, result)
    return result


def print_set(name: str, result: Figures) -> None:
    train, valid, test = result["sizes"]
    print(f"\n== {name}: {train:,} train / {valid:,} validation / {test:,} test texts, {result['classes']} classes ==")
    print(f"{'method':<10} {'accuracy %':>14} {'train s':>8} {'passes':>6} {'train tok/s':>12} "
          f"{'predict/s':>10} {'tok/s ÷ attnviz':>15} {'predict ÷ attnviz':>17}")  # fmt: skip
    ours = result["attnviz"]
    for method in METHODS:
        r = result[method]
        print(
            f"{NAMES[method]:<10} {_acc(r):>14} {r['train_seconds']:>8.1f} {r['passes']:>6.1f} "
            f"{r['train_tokens_per_second']:>12,.0f} {r['predict_texts_per_second']:>10,.0f} "
            f"{_ratio(r, ours, 'train_tokens_per_second'):>15} {_ratio(r, ours, 'predict_texts_per_second'):>17}",
            flush=True,
        )


def _acc(r: Figures) -> str:
    return f"{r['accuracy'] * 100:.2f} ± {r['accuracy_std'] * 100:.2f}"


def _ratio(r: Figures, base: Figures, key: str) -> str:
    return f"{r[key] / base[key]:.2f}x"


def print_summary(results: dict[str, Figures]) -> None:
    print("\n== summary: accuracy %, and baseline speed ÷ attnviz speed ==")
    print(f"{'data set':<13} {'attnviz':>14} {'fastText':>9} {'TF-IDF+LR':>9} {'attnviz-best':>12} "
          f"{'fT tok/s':>9} {'TF tok/s':>9} {'fT pred':>8} {'TF pred':>8}")  # fmt: skip
    for name, r in results.items():
        ours, ft, tf = r["attnviz"], r["fasttext"], r["tfidf"]
        margin = (ours["accuracy"] - max(ft["accuracy"], tf["accuracy"])) * 100
        print(
            f"{name:<13} {_acc(ours):>14} {ft['accuracy'] * 100:>9.2f} {tf['accuracy'] * 100:>9.2f} {margin:>+12.2f} "
            f"{_ratio(ft, ours, 'train_tokens_per_second'):>9} {_ratio(tf, ours, 'train_tokens_per_second'):>9} "
            f"{_ratio(ft, ours, 'predict_texts_per_second'):>8} {_ratio(tf, ours, 'predict_texts_per_second'):>8}"
        )


# -- speed section: the plain PyTorch network, the matmul ceiling, FLOPs -----------------------------


def steady_rate(tokens: int, seconds: list[float]) -> float:
    """Tokens per epoch / the (lower) median epoch time after the first epoch (the peers' README rule)."""
    steady = sorted(seconds[1:]) or seconds[:1]
    return tokens / steady[(len(steady) - 1) // 2]


def _epoch_tokens(history: list[dict[str, float]]) -> tuple[int, list[float]]:
    first = history[0]
    return round(first["tokens_per_second"] * first["seconds"]), [record["seconds"] for record in history]


def torch_peer(peers: Path) -> Any:
    if not (peers / "torch_peer.py").exists():
        sys.exit(f"no torch_peer.py in {peers}: give the peers' folder with --peers")
    sys.path.insert(0, str(peers))
    return importlib.import_module("torch_peer")


def run_torch_peer(splits: Splits, seed: int, peers: Path, max_len: int = 50) -> Figures:
    """torch_peer.py's network and training loop (Adam 1e-3, batch 64, patience 2, PyTorch's default init)."""
    peer = torch_peer(peers)
    data = peer.data
    torch.manual_seed(seed)
    classes = sorted(set(splits[0][1]))
    index = {name: i for i, name in enumerate(classes)}
    vocab = data.build_vocab([words(text) for text in splits[0][0]])
    encode = lambda s: (data.encode([words(t) for t in s[0]], vocab, max_len), [index[y] for y in s[1]])  # noqa: E731
    train, valid = encode(splits[0]), encode(splits[1])
    model = peer.AttnGRU(len(vocab) + 2, len(classes))
    seconds = _torch_peer_fit(peer, model, train, valid, seed)
    (_, accuracy), predict_s = _timed(lambda: peer.evaluate(model, *encode(splits[2])))
    return {
        "accuracy": accuracy,
        "epochs": len(seconds),
        "model_tokens_per_second": steady_rate(sum(len(ids) for ids in train[0]), seconds),
        "predict_texts_per_second": len(splits[2][0]) / predict_s,
    }


def _torch_peer_fit(peer: Any, model: torch.nn.Module, train: Any, valid: Any, seed: int) -> list[float]:
    """Returns the seconds of each training epoch; leaves the best validation epoch's weights in `model`."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(seed)
    seconds: list[float] = []
    best, best_loss, best_state = 0, math.inf, None
    for epoch in range(1, peer.MAX_EPOCHS + 1):
        started = time.perf_counter()
        model.train()
        order = torch.randperm(len(train[0]), generator=generator).tolist()
        for ids, lengths, labels in peer.batches(*train, peer.BATCH, order):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(ids, lengths)[0], labels).backward()
            optimizer.step()
        seconds.append(time.perf_counter() - started)
        loss = peer.evaluate(model, *valid)[0]
        if loss < best_loss:
            best, best_loss, best_state = epoch, loss, {k: v.clone() for k, v in model.state_dict().items()}
        if epoch - best >= peer.PATIENCE:
            break
    model.load_state_dict(best_state)
    return seconds


def matmul_gflops(size: int = 2048, seconds: float = 3.0) -> float:
    """fp32 matmul rate at the current torch thread count (../shared/peers/ceiling.py's measurement)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    for _ in range(3):
        a @ b
    repeats, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        a @ b
        repeats += 1
    return 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9


def train_flops_per_token(embedding: int, hidden: int, classes: int, directions: int = 2, gates: int = 3) -> int:
    """The formula in this module's docstring: GRU matmuls + attention, training = 3 x forward."""
    rnn = 2 * gates * (embedding * hidden + hidden * hidden) * directions
    attention = 2 * directions * hidden * classes + 2 * directions * hidden
    return 3 * (rnn + attention)


def speed_section(args: argparse.Namespace) -> Figures:
    """attnviz and the plain PyTorch peer taking turns seed by seed, and the matmul rate measured before,
    between and after them: this VM's speed drifts by up to 2x within minutes, so neither side gets the
    faster stretch, and the fraction is taken of the highest rate measured (the least flattering)."""
    splits = load("sst2", args.data, args.limit)
    rates, ours_runs, peer_runs = [matmul_gflops(seconds=args.ceiling_seconds)], [], []
    for seed in args.seeds:
        ours_runs.append(_attnviz_speed(splits, seed))
        peer_runs.append(run_torch_peer(splits, seed, args.peers))
        rates.append(matmul_gflops(seconds=args.ceiling_seconds))
    ours, peer = summarise(ours_runs), summarise(peer_runs)
    flops = train_flops_per_token(128, 64, len(set(splits[0][1])))  # attnviz's default sizes, the peer's sizes
    gflops = max(rates)
    result = {"train_texts": len(splits[0][0]), "attnviz": ours, "torch_peer": peer, "matmul_gflops": gflops,
              "matmul_gflops_measured": rates, "train_flops_per_token": flops,
              "ceiling_tokens_per_second": gflops * 1e9 / flops}  # fmt: skip
    for r in (ours, peer):
        r["train_gflops"] = r["model_tokens_per_second"] * flops / 1e9
        r["fraction_of_ceiling"] = r["train_gflops"] / gflops
    print_speed(result, args.threads)
    return result


def _attnviz_speed(splits: Splits, seed: int) -> Figures:
    train, valid, test = splits
    model = TextClassifier(seed=seed).fit(*train, valid_texts=valid[0], valid_labels=valid[1])
    predicted, predict_s = _timed(model.predict, test[0])
    return {
        "accuracy": _accuracy(predicted, test[1]),
        "epochs": len(model.history_),
        "model_tokens_per_second": steady_rate(*_epoch_tokens(model.history_)),
        "predict_texts_per_second": len(test[1]) / predict_s,
    }


def print_speed(result: Figures, threads: int) -> None:
    print(f"\n== speed: SST-2 sentences, {result['train_texts']:,} train texts, {threads} thread(s) ==")
    print(f"{'network':<14} {'accuracy %':>14} {'epochs':>6} {'train tok/s':>12} {'predict/s':>10} "
          f"{'train GFLOP/s':>13} {'of ceiling':>10}")  # fmt: skip
    for name, r in (("attnviz", result["attnviz"]), ("PyTorch plain", result["torch_peer"])):
        print(
            f"{name:<14} {_acc(r):>14} {r['epochs']:>6.1f} {r['model_tokens_per_second']:>12,.0f} "
            f"{r['predict_texts_per_second']:>10,.0f} {r['train_gflops']:>13.2f} {r['fraction_of_ceiling']:>10.1%}"
        )
    ours, peer = result["attnviz"], result["torch_peer"]
    print(
        f"attnviz over plain PyTorch: {_ratio(ours, peer, 'model_tokens_per_second')} training tokens/s, "
        f"{_ratio(ours, peer, 'predict_texts_per_second')} prediction texts/s\n"
        f"fp32 matmul (2048^3): {result['matmul_gflops']:.1f} GFLOP/s, the highest of "
        f"{', '.join(f'{rate:.1f}' for rate in result['matmul_gflops_measured'])}; training FLOPs per token "
        f"{result['train_flops_per_token']:,} -> ceiling {result['ceiling_tokens_per_second']:,.0f} training tokens/s",
        flush=True,
    )


# -- memory section --------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _memory_worker(name: str, method: str, args: argparse.Namespace) -> Figures:
    torch.set_num_threads(args.threads)
    splits = load(name, args.data, args.limit)
    loaded = peak_rss_mb()
    if method == "torch-peer":
        run_torch_peer(splits, args.seeds[0], args.peers)
    else:
        run_method(method, splits, args.seeds[0], args.threads)
    return {"after_loading_mb": loaded, "peak_mb": peak_rss_mb()}


def measure_memory(name: str, method: str, args: argparse.Namespace) -> Figures:
    """Runs one method on one set in a fresh (spawned) process, so that its peak is its own."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_memory_worker, name, method, args).result()


def memory_section(args: argparse.Namespace) -> Figures:
    print(f"\n== peak resident memory (MB) of a fresh process, seed {args.seeds[0]} ==")
    print(f"{'data set':<13} {'method':<14} {'after loading':>13} {'peak':>8}")
    result: Figures = {}
    for name in args.sets:
        methods = METHODS + (["torch-peer"] if name == "sst2" else [])
        for method in methods:
            r = result.setdefault(name, {})[method] = measure_memory(name, method, args)
            print(f"{name:<13} {NAMES[method]:<14} {r['after_loading_mb']:>13,.0f} {r['peak_mb']:>8,.0f}", flush=True)
    return result


# -- command line ----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    root = Path(__file__).resolve().parents[1].parent / "shared"
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=root / "data")
    parser.add_argument("--peers", type=Path, default=root / "peers", help="Folder holding torch_peer.py.")
    parser.add_argument("--sets", nargs="+", choices=SETS, default=SETS)
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=SECTIONS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=2, help="Threads for torch, fastText and BLAS.")
    parser.add_argument("--limit", type=int, help="Keep at most N texts of each split (quick checks).")
    parser.add_argument("--ceiling-seconds", type=float, default=3.0, help="Length of the matmul measurement.")
    parser.add_argument("--json", type=Path, help="Also write every figure to this file.")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    if {"accuracy", "memory"} & set(args.sections):
        _need("fasttext")
        _need("sklearn")
    results: Figures = {"settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}}
    if "accuracy" in args.sections:
        results["accuracy"] = {}
        for name in args.sets:
            results["accuracy"][name] = accuracy_section(name, args)
            _save(args.json, results)
        print_summary(results["accuracy"])
    if "speed" in args.sections:
        results["speed"] = speed_section(args)
    if "memory" in args.sections:
        results["memory"] = memory_section(args)
    results["peak_rss_mb_this_process"] = peak_rss_mb()
    print(f"\npeak resident memory of this process: {results['peak_rss_mb_this_process']:,.0f} MB")
    _save(args.json, results)


def _save(path: Path | None, results: Figures) -> None:
    if path:
        path.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()

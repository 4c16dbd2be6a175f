"""Faithfulness report cards on real data, and the speed of the explanation methods.

usage: python benchmarks/faithfulness.py [--data ../shared/data] [--sets sst2 imdb movies]
                                         [--max-examples 2000] [--threads 2] [--json results.json] [--seed 0]
                                         [--attention max-class|per-class|...]

Per data set: trains a model with the default settings (or the --attention form: `per-class` is the
faithful one), then builds the report card of every method
on the test set (at most --max-examples texts, a seeded sample) and prints test accuracy, each
method's comprehensiveness and sufficiency AOPC, Kendall tau with attention and the card's time.
`movies` is ERASER's movie reviews (train -> test, with human rationales: plausibility too). For
SST-2 also integrated gradients' time per text (32 steps) on test sentences of 18 to 22 words.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import LOADERS, Split

from attnviz import TextClassifier
from attnviz.config import ATTENTION_TYPES
from attnviz.scorecard import build_scorecard
from attnviz.text.rationales import RationaleExample, read_eraser

Examples = tuple[Split, Split | None, Split, list[list[tuple[int, int]]] | None]


def movies(root: Path) -> Examples:
    folder = root / "rationales" / "movies"
    train, valid, test = (read_eraser(folder, split) for split in ("train", "val", "test"))
    return _pair(train), _pair(valid), _pair(test), [list(e.spans) for e in test]


def _pair(examples: list[RationaleExample]) -> Split:
    return [e.text for e in examples], [e.label for e in examples]


def load(name: str, root: Path) -> Examples:
    if name == "movies":
        return movies(root)
    train, valid, test = LOADERS[name](root)
    return train, valid, test, None


def integrated_gradients_speed(model: TextClassifier, texts: list[str]) -> float:
    """Milliseconds per text for 32-step integrated gradients on texts of 18 to 22 words."""
    chosen = [t for t in texts if 18 <= len(t.split()) <= 22][:400]
    model.explain(chosen[:16], method="integrated-gradients")  # warm-up
    started = time.perf_counter()
    model.explain(chosen, method="integrated-gradients", steps=32)
    return 1000 * (time.perf_counter() - started) / len(chosen)


def card_figures(name: str, examples: Examples, args: argparse.Namespace) -> dict[str, Any]:
    (train, valid, test, rationales) = examples
    started = time.perf_counter()
    settings = {"attention": args.attention} if args.attention else {}
    model = TextClassifier(seed=args.seed, **settings).fit(
        train[0], train[1], valid_texts=valid[0] if valid else None, valid_labels=valid[1] if valid else None
    )
    fit_seconds = time.perf_counter() - started
    keep = sorted(random.Random(args.seed).sample(range(len(test[0])), min(args.max_examples, len(test[0]))))
    texts, labels = [test[0][i] for i in keep], [test[1][i] for i in keep]
    spans = [rationales[i] for i in keep] if rationales else None
    started = time.perf_counter()
    card = build_scorecard(model, texts, labels, rationales=spans, title=name)
    figures = card.to_json()
    figures.update(data=name, attention_form=model.model_config.attention, fit_seconds=fit_seconds)
    figures["card_seconds"] = time.perf_counter() - started
    if name == "sst2":
        figures["integrated_gradients_ms_per_text"] = integrated_gradients_speed(model, test[0])
    return figures


def print_card(figures: dict[str, Any]) -> None:
    print(
        f"\n{figures['data']} ({figures['attention_form']} attention): accuracy {100 * figures['accuracy']:.2f} %, "
        f"{figures['examples']:,} texts, fit {figures['fit_seconds']:.0f} s, card {figures['card_seconds']:.0f} s"
    )
    if "integrated_gradients_ms_per_text" in figures:
        print(
            f"integrated gradients, 32 steps, 18-22 words: {figures['integrated_gradients_ms_per_text']:.1f} ms a text"
        )
    print(f"{'method':<22} {'compr. AOPC':>12} {'suff. AOPC':>11} {'tau attn':>9} {'AUPRC':>6} {'seconds':>8}")
    for method, scores in figures["methods"].items():
        tau = scores.get("kendall_tau_with_attention", {}).get("mean")
        auprc = scores.get("plausibility", {}).get("auprc")
        print(
            f"{method:<22} {scores['comprehensiveness_aopc']:>12.3f} {scores['sufficiency_aopc']:>11.3f} "
            f"{'' if tau is None else f'{tau:+.3f}':>9} {'' if auprc is None else f'{auprc:.3f}':>6} "
            f"{scores['seconds']:>8.1f}"
        )
    for other, agreement in figures["jain_wallace"].items():
        print(f"attention vs {other}: tau {agreement['mean']:+.3f} ± {agreement['std']:.3f}, "
              f"{100 * agreement['significant_fraction']:.0f} % significant")  # fmt: skip
    print(f"permutation: median output change {figures['attention']['permutation_median_change']:.4f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--sets", nargs="+", choices=["sst2", "imdb", "movies"], default=["sst2"])
    parser.add_argument("--max-examples", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--attention", choices=ATTENTION_TYPES, help="attention form (default: the model's default)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = []
    for name in args.sets:
        examples = load(name, args.data)
        results.append(card_figures(name, examples, args))
        print_card(results[-1])
        if args.json:
            args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

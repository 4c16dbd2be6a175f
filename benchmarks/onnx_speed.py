"""Speed of an exported model in onnxruntime beside the same model in PyTorch, both on the same threads.

usage: python benchmarks/onnx_speed.py [--data ../shared/data] [--model FOLDER] [--limit N] [--threads 2]

Without --model it trains the default model on the SST-2 sentences first (--epochs shortens that).
Prints texts/s for the SST-2 test sentences explained as one batch job (PyTorch: `classifier.explain`
and `predict_proba`; onnxruntime: tokenise, sort by length, batches of 256, probabilities and attention)
and the median (p50) latency of one sentence at a time, tokenisation included on both sides.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import onnxruntime
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import sst2

from attnviz import TextClassifier
from attnviz.export import encode_for_onnx, export_onnx
from attnviz.inference import INFERENCE_BATCH_SIZE, encode_texts
from attnviz.training.batching import inference_order, pad


def onnx_session(classifier: TextClassifier, threads: int) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.onnx"
        export_onnx(classifier, path)
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def onnx_batch(session: onnxruntime.InferenceSession, classifier: TextClassifier, texts: Sequence[str]) -> list[Any]:
    """Probabilities and attention of every text, as the library batches them: sorted by length."""
    config = classifier.network_.config
    sequences = encode_texts(texts, classifier.tokenizer_, classifier.vocabulary_, config.max_length).sequences
    results = []
    order = inference_order([len(sequence) for sequence in sequences], INFERENCE_BATCH_SIZE, torch.device("cpu"))
    for indices in order:
        token_ids, lengths = pad([sequences[index] for index in indices])
        results.append(session.run(None, {"token_ids": token_ids.numpy(), "lengths": lengths.numpy()}))
    return results


def onnx_one(session: onnxruntime.InferenceSession, classifier: TextClassifier, text: str) -> list[Any]:
    token_ids, lengths = encode_for_onnx(classifier, [text])
    return session.run(None, {"token_ids": token_ids, "lengths": lengths})  # type: ignore[no-any-return]


def texts_per_second(run: Callable[[], object], count: int, repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return count / statistics.median(times)


def median_latency_ms(run: Callable[[str], object], texts: Sequence[str]) -> float:
    run(texts[0])  # warm-up
    times = []
    for text in texts:
        started = time.perf_counter()
        run(text)
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def load_or_train(arguments: argparse.Namespace) -> TextClassifier:
    if arguments.model:
        return TextClassifier.load(arguments.model, device="cpu")
    (train, valid, _) = sst2(arguments.data)
    settings = {"device": "cpu"} | ({"epochs": arguments.epochs} if arguments.epochs else {})
    assert valid is not None
    return TextClassifier(**settings).fit(*train, valid_texts=valid[0], valid_labels=valid[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--model", help="A saved model folder (default: train one on SST-2 first).")
    parser.add_argument("--epochs", type=int, help="Epochs for the model trained here (default: the library's).")
    parser.add_argument("--limit", type=int, help="Only the first N test sentences.")
    parser.add_argument("--latency-texts", type=int, default=300, help="Sentences timed one at a time.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="Torch and onnxruntime threads (2 cores).")
    arguments = parser.parse_args()
    torch.set_num_threads(arguments.threads)
    classifier = load_or_train(arguments)
    texts = sst2(arguments.data)[2][0][: arguments.limit]
    session = onnx_session(classifier, arguments.threads)
    single = texts[: arguments.latency_texts]
    rows = {
        "PyTorch explain": (
            texts_per_second(lambda: classifier.explain(texts), len(texts), arguments.repeats),
            median_latency_ms(lambda text: classifier.explain([text]), single),
        ),
        "PyTorch predict_proba": (
            texts_per_second(lambda: classifier.predict_proba(texts), len(texts), arguments.repeats),
            median_latency_ms(lambda text: classifier.predict_proba([text]), single),
        ),
        "onnxruntime": (
            texts_per_second(lambda: onnx_batch(session, classifier, texts), len(texts), arguments.repeats),
            median_latency_ms(lambda text: onnx_one(session, classifier, text), single),
        ),
    }
    print(f"torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, {arguments.threads} threads")
    print(f"SST-2 test: {len(texts)} sentences in batch, {len(single)} one at a time")
    print(f"{'':<22} {'batch texts/s':>14} {'p50 one text ms':>16}")
    for name, (speed, latency) in rows.items():
        print(f"{name:<22} {speed:>14,.0f} {latency:>16.2f}")


if __name__ == "__main__":
    main()

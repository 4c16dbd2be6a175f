"""What the API does, without HTTP: check the texts, queue them for the model, shape the answers.

The model work itself is the library's (`TextClassifier.explain` / `predict_proba`); this module only
bounds it (limits, the micro-batching queue) and turns the results into the API's dictionaries.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

from attnviz.web.batching import BatchFunction, MicroBatcher
from attnviz.web.problems import InvalidRequestError, PayloadTooLargeError
from attnviz.web.registry import ModelRegistry, ServedModel

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ServerLimits:
    """Every bound a client's request meets; the defaults suit one person's page and small scripts."""

    max_body_bytes: int = 1 << 20  # 1 MiB: thousands of sentences, yet a bounded read
    max_texts: int = 256  # per request
    max_text_chars: int = 20_000  # per text: far past any model's max_length of words
    max_batch: int = 32  # texts per model call; batches past this gain little on CPU
    queue_size: int = 256  # requests waiting for the model before new ones get 503
    max_report_texts: int = 5_000  # rows of an uploaded file
    batch_wait_ms: int = 2  # how long a batch may wait to fill under load; the gain beats the delay

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or value < (0 if name == "batch_wait_ms" else 1):
                raise ValueError(f"{name} must be a positive whole number, not {value!r}")


def check_texts(texts: list[str], limits: ServerLimits) -> list[str]:
    """The texts if they are within the limits; otherwise 422 (none, invalid text) or 413 (too much)."""
    if not texts:
        raise InvalidRequestError('"texts" is empty; send at least one text, for example {"texts": ["so good"]}.')
    if len(texts) > limits.max_texts:
        raise PayloadTooLargeError(
            f"{len(texts):,} texts were sent but at most {limits.max_texts:,} fit in one request; "
            "split them over several requests."
        )
    for number, text in enumerate(texts, 1):
        if len(text) > limits.max_text_chars:
            raise PayloadTooLargeError(
                f"Text number {number} has {len(text):,} characters, over the limit of {limits.max_text_chars:,}; "
                "shorten it or start the server with a larger --max-text-chars."
            )
        if not text.isascii() and _SURROGATE.search(text):
            raise InvalidRequestError(
                f"Text number {number} contains a lone surrogate (an invalid \\uD800-\\uDFFF escape); "
                "send valid Unicode text."
            )
    return texts


def _explainer(model: ServedModel, method: str) -> BatchFunction:
    def explain(texts: list[str]) -> list[dict[str, Any]]:
        return [explanation.to_dict() for explanation in model.classifier.explain(texts, method)]

    return explain


def _predictor(model: ServedModel) -> BatchFunction:
    classes = list(model.classifier.classes_)

    def predict(texts: list[str]) -> list[dict[str, Any]]:
        rows = model.classifier.predict_proba(texts).tolist()
        return [
            {"text": text, "label": classes[row.index(max(row))], "probabilities": dict(zip(classes, row, strict=True))}
            for text, row in zip(texts, rows, strict=True)
        ]

    return predict


def _same_spans(left: dict[str, Any], right: dict[str, Any]) -> bool:
    spans = [[(token["start"], token["end"]) for token in side["tokens"]] for side in (left, right)]
    return spans[0] == spans[1]


def compare_explanations(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Whether two explanations of one text share their token spans and, if so, left minus right weights."""
    if not _same_spans(left, right):
        note = (
            f"The models split this text differently ({len(left['tokens'])} and {len(right['tokens'])} tokens, "
            "or other spans), so their weights cannot be compared word by word."
        )
        return {"same_tokens": False, "difference": None, "note": note}
    difference = [a["weight"] - b["weight"] for a, b in zip(left["tokens"], right["tokens"], strict=True)]
    note = "Both models read the same tokens; the difference is the left model's weight minus the right's."
    return {"same_tokens": True, "difference": difference, "note": note}


class InferenceService:
    """The registry, the limits and the queue: every model call of the API goes through here."""

    def __init__(self, registry: ModelRegistry, limits: ServerLimits) -> None:
        self.registry = registry
        self.limits = limits
        self.batcher = MicroBatcher(
            max_batch=limits.max_batch, max_pending=limits.queue_size, max_wait=limits.batch_wait_ms / 1000
        )
        # One function per model and method, made once, so that the batcher's key comparison is cheap.
        self._explainers = {
            (model.name, method): _explainer(model, method)
            for model in map(registry.get, registry.names)
            for method in model.methods
        }
        self._predictors = {name: _predictor(registry.get(name)) for name in registry.names}

    async def explain(self, texts: list[str], model_name: str | None, method: str) -> tuple[str, list[dict[str, Any]]]:
        model = self.registry.get(model_name)
        method = self.registry.method(model, method)
        function = self._explainers[(model.name, method)]
        return model.name, await self.batcher.run(
            ("explain", model.name, method), function, check_texts(texts, self.limits)
        )

    async def predict(self, texts: list[str], model_name: str | None) -> tuple[ServedModel, list[dict[str, Any]]]:
        model = self.registry.get(model_name)
        texts = check_texts(texts, self.limits)
        return model, await self.batcher.run(("predict", model.name), self._predictors[model.name], texts)

    async def compare(self, text: str, names: list[str], method: str) -> dict[str, Any]:
        left, right = (self.registry.get(name) for name in names)
        answers = await asyncio.gather(*(self.explain([text], model.name, method) for model in (left, right)))
        explanations = [results[0] for _, results in answers]
        return {
            "models": [left.name, right.name],
            "explanations": explanations,
            **compare_explanations(*explanations),
        }

    def close(self) -> None:
        self.batcher.close()

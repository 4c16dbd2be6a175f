"""The one explanation type every method returns and every renderer draws; torch-free on purpose."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

import orjson

SCHEMA_KEYS = ("text", "label", "probabilities", "tokens", "truncated", "method")
# The explanation methods (attnviz.explain implements them); named here so that the CLI and the
# renderers know them without importing torch.
METHOD_NAMES = (
    "attention", "gradient", "gradient-x-input", "integrated-gradients", "leave-one-out", "random", "uniform",
)  # fmt: skip
# Methods whose weights can be negative (evidence against the predicted class): drawn with a diverging palette.
SIGNED_METHODS = frozenset({"gradient-x-input", "integrated-gradients", "leave-one-out"})


def json_text(value: Any) -> str:
    """`value` as JSON text, about ten times as fast as `json.dumps`; numbers keep their shortest repr.

    Not ASCII-escaped; NaN and infinity, which JSON cannot carry, become null; mappings other than
    dicts and numbers other than floats and ints are converted.
    """
    return orjson.dumps(value, default=_plain).decode()


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def _shared(weights: Mapping[str, float]) -> Mapping[str, float]:
    return weights


def _token_records(
    tokens: Iterable[TokenWeight], copy: Callable[[Mapping[str, float]], Mapping[str, float]]
) -> list[dict[str, Any]]:
    # Indexing the tuples instead of a method call per token: explanations of a data set hold millions.
    return [
        {"text": token[0], "start": token[1], "end": token[2], "weight": token[3], "class_weights": copy(token[4])}
        for token in tokens
    ]


class TokenWeight(NamedTuple):
    """One word of the original text: its surface, its character span and the weights it received.

    `weight` is the attention actually used for the prediction; `class_weights` maps every class to
    the weight that class's own scores give the token (softmax over time of that class's scores).
    A named tuple rather than a dataclass: explaining a large data set creates millions of these, and
    a tuple is several times cheaper to build. Treat `class_weights` as read-only.
    """

    text: str
    start: int
    end: int
    weight: float
    class_weights: Mapping[str, float] = MappingProxyType({})

    def to_dict(self) -> dict[str, Any]:
        return _token_records([self], dict)[0]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TokenWeight:
        return cls(
            text=str(data["text"]),
            start=int(data["start"]),
            end=int(data["end"]),
            weight=float(data["weight"]),
            class_weights={str(k): float(v) for k, v in data.get("class_weights", {}).items()},
        )


@dataclass(frozen=True)
class Explanation:
    """What the model predicted for one text and how much each word counted.

    `tokens` cover the part of `text` the model read; when `truncated` is true the text was longer
    than the model's maximum length and the words after the last token were not read.
    """

    text: str
    label: str
    probabilities: dict[str, float]
    tokens: list[TokenWeight]
    truncated: bool = False
    method: str = "attention"

    @property
    def classes(self) -> list[str]:
        return list(self.probabilities)

    @property
    def read_end(self) -> int:
        """Character offset where the part the model read ends (the whole text unless truncated)."""
        if self.truncated and self.tokens:
            return self.tokens[-1].end
        return len(self.text)

    def segments(self) -> list[tuple[str, TokenWeight | None]]:
        """The whole text as consecutive pieces: each token with its weight, and the gaps between
        tokens (spaces, punctuation the tokenizer skipped, a truncated tail) with None.

        Joining the pieces' strings gives back `text` exactly, so every renderer walks this list.
        """
        pieces: list[tuple[str, TokenWeight | None]] = []
        position = 0
        for token in self.tokens:
            if token.start > position:
                pieces.append((self.text[position : token.start], None))
            pieces.append((self.text[token.start : token.end], token))
            position = token.end
        if position < len(self.text):
            pieces.append((self.text[position:], None))
        return pieces

    def to_dict(self) -> dict[str, Any]:
        return self._record(dict)

    def to_json(self) -> str:
        """`to_dict()` as one line of JSON (UTF-8 text, not ASCII-escaped; NaN and infinity as null)."""
        # The record shares this explanation's dicts instead of copying them: it lives only as long as
        # the encoder needs it. Writing a large data set spends most of its time here.
        return json_text(self._record(_shared))

    def _record(self, copy: Callable[[Mapping[str, float]], Mapping[str, float]]) -> dict[str, Any]:
        return {
            "text": self.text,
            "label": self.label,
            "probabilities": copy(self.probabilities),
            "tokens": _token_records(self.tokens, copy),
            "truncated": self.truncated,
            "method": self.method,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Explanation:
        return cls(
            text=str(data["text"]),
            label=str(data["label"]),
            probabilities={str(k): float(v) for k, v in data["probabilities"].items()},
            tokens=[TokenWeight.from_dict(token) for token in data["tokens"]],
            truncated=bool(data.get("truncated", False)),
            method=str(data.get("method", "attention")),
        )

    def _repr_html_(self) -> str:
        from attnviz.render.html import render_fragment

        return render_fragment([self])


class Explanations(list[Explanation]):
    """A plain list of explanations that Jupyter draws as one HTML block with a shared legend."""

    def to_dicts(self) -> list[dict[str, Any]]:
        return [explanation.to_dict() for explanation in self]

    def _repr_html_(self) -> str:
        from attnviz.render.html import render_fragment

        return render_fragment(self)

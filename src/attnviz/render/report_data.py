"""The report's examples as compact JSON for `<script type="application/json">` elements.

The page parses one small index (labels, confidence, loss, length) at start and everything else lazily,
one chunk at a time, so the browser never holds more than it shows. Per chunk there are two elements:
the texts (only search needs all of them) and the rest. Numbers that come in hundreds per text travel as
little-endian binary in base64, which is smaller than JSON and decodes without parsing: the tokens as
(gap since the previous token, length) pairs in UTF-16 code units (what JavaScript's `slice` counts) in
the smallest unsigned integer type that holds them, and the weights as float32. Float32 is exact for a
model's weights (they come from float32 tensors) and as small as 4-digit decimals; other floats fall back
to float64, so the page's colours always equal Python's. Extra explanation methods' weights travel the
same way, one base64 string per method ("m", with their widths in "mb"), in the config's method order.
"""

from __future__ import annotations

import base64
import bisect
import json
import math
import operator
import re
import sys
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from attnviz.errors import DataError
from attnviz.render.report_model import ReportData

CHUNK_SIZE = 200
# Besides < > & (which could end the script element or open a comment): characters JavaScript once treated
# as line ends (U+2028/9), C1 controls (HTML parse errors) and lone surrogates (not encodable as UTF-8).
_UNSAFE = re.compile("[\u2028\u2029\x7f-\x9f\ud800-\udfff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SMALLEST = 1e-300  # loss of a probability 0 is infinite; JSON has no infinity
_START, _END = operator.attrgetter("start"), operator.attrgetter("end")
_WEIGHT, _CLASS_WEIGHTS = operator.attrgetter("weight"), operator.attrgetter("class_weights")


def _escape_match(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def script_json(value: Any) -> Markup:
    """`value` as JSON that is inert inside a `<script type="application/json">` element.

    Every character that matters to the HTML parser only occurs inside JSON strings, where a \\uXXXX
    escape means the same thing to `JSON.parse`; so nothing can close the element or start a comment.
    This is the only place the report marks text containing user strings as safe.
    """
    raw = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    # the common three by str.replace (fast on megabytes), the rare rest by the pattern
    raw = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    if not raw.isascii() and _UNSAFE.search(raw):
        raw = _UNSAFE.sub(_escape_match, raw)
    return Markup(raw)  # noqa: S704 - escaped for the script-data context just above


@dataclass(frozen=True)
class EncodedExamples:
    """The JSON the page embeds: one index and, per chunk of `CHUNK_SIZE` examples, texts and data."""

    index: Markup
    texts: list[Markup]
    chunks: list[Markup]


def _utf16(text: str, offsets: list[int]) -> list[int]:
    """Code-point offsets as UTF-16 offsets: every astral character before an offset adds one unit."""
    astral = [match.start() for match in _ASTRAL.finditer(text)]
    return [offset + bisect.bisect_left(astral, offset) for offset in offsets]


def _pack(values: list[int] | list[float], code: str) -> str:
    """`values` as little-endian machine numbers of array type `code`, in base64."""
    packed = array(code, values)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def _token_offsets(text: str, starts: Sequence[int], ends: Sequence[int], position: int) -> tuple[int, str]:
    """(bytes per number, base64) of the tokens as flat (gap since the previous token's end, length)
    pairs in UTF-16 code units, packed as the smallest unsigned integers that hold them."""
    bounds = [0] * (2 * len(starts))  # start, end, start, end...: their differences are gap, length, gap...
    bounds[0::2], bounds[1::2] = starts, ends
    flat = list(map(operator.sub, bounds, [0, *bounds[:-1]]))
    if bounds and (min(flat) < 0 or bounds[-1] > len(text)):
        raise DataError(f"example {position}: token spans must be in order, not overlap and lie inside the text")
    if not text.isascii() and _ASTRAL.search(text):
        bounds = _utf16(text, bounds)
        flat = list(map(operator.sub, bounds, [0, *bounds[:-1]]))
    largest = max(flat, default=0)
    code = "B" if largest < 1 << 8 else "H" if largest < 1 << 16 else "I"
    return array(code).itemsize, _pack(flat, code)


def _weight_bytes(values: list[float]) -> tuple[int, str]:
    """(bytes per weight, base64) of the weights: float32 when that is exact, else float64."""
    packed = array("f", values)
    if packed.tolist() != values:  # also for NaN, which float64 carries just as well
        packed = array("d", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.itemsize, base64.b64encode(packed.tobytes()).decode("ascii")


def _class_column(dicts: Sequence[dict[str, float]], name: str) -> list[float]:
    try:
        return list(map(operator.itemgetter(name), dicts))
    except KeyError:  # a token without this class's weight counts as 0, as in colors.token_weights
        return [weights.get(name, 0.0) for weights in dicts]


def _weights(
    used: Sequence[float], dicts: Sequence[dict[str, float]], classes: Sequence[str]
) -> tuple[int, list[float]]:
    """(number of views, flat weights): the attention used, then each class's own when there are any."""
    values = list(used)  # a copy: the class columns are appended to it
    if not any(dicts):
        return 1, values
    for name in classes:
        values.extend(_class_column(dicts, name))
    return 1 + len(classes), values


def _finite(value: float) -> float:
    return value if math.isfinite(value) else 0.0


def _add_methods(chunk: dict[str, list[Any]], data: ReportData, position: int) -> None:
    """Each extra method's weights for example `position`, in method order: widths in "mb", base64 in "m"."""
    packed = [_weight_bytes(list(map(_WEIGHT, e[position].tokens))) for e in data.method_explanations.values()]
    chunk["mb"].append([width for width, _ in packed])
    chunk["m"].append([weights for _, weights in packed])


def _chunk(data: ReportData, start: int, stop: int) -> tuple[Markup, Markup]:
    keys = ("ob", "o", "p", "t", "v", "wb", "w") + (("mb", "m") if data.method_explanations else ())
    chunk: dict[str, list[Any]] = {key: [] for key in keys}
    for position in range(start, stop):
        explanation = data.explanations[position]
        tokens = explanation.tokens
        starts, ends = list(map(_START, tokens)), list(map(_END, tokens))
        used, dicts = list(map(_WEIGHT, tokens)), list(map(_CLASS_WEIGHTS, tokens))
        width, offsets = _token_offsets(explanation.text, starts, ends, position)
        chunk["ob"].append(width)
        chunk["o"].append(offsets)
        chunk["p"].append([round(_finite(explanation.probabilities.get(c, 0.0)), 4) for c in data.classes])
        chunk["t"].append(int(explanation.truncated and bool(explanation.tokens)))
        views, values = _weights(used, dicts, data.classes)
        width, weights = _weight_bytes(values)
        chunk["v"].append(views)
        chunk["wb"].append(width)
        chunk["w"].append(weights)
        if data.method_explanations:
            _add_methods(chunk, data, position)
    texts = [explanation.text for explanation in data.explanations[start:stop]]
    return script_json(texts), script_json(chunk)


def _index(data: ReportData) -> Markup:
    """Per example what filtering and sorting need: class indices, confidence, loss, length."""
    position = {name: number for number, name in enumerate(data.classes)}
    explanations = data.explanations
    index: dict[str, Any] = {
        "p": [position[e.label] for e in explanations],
        "c": [round(_finite(e.probabilities.get(e.label, 0.0)), 6) for e in explanations],
        "n": [len(e.text) for e in explanations],
        "r": [len(e.tokens) for e in explanations],
        "y": None,
        "l": None,
    }
    if data.true_labels is not None:
        index["y"] = [position[label] for label in data.true_labels]
        index["l"] = [
            round(-math.log(max(_SMALLEST, _finite(e.probabilities.get(label, 0.0)))), 6)
            for e, label in zip(explanations, data.true_labels, strict=True)
        ]
    return script_json(index)


def encode_examples(data: ReportData) -> EncodedExamples:
    """All of `data`'s examples as the page's JSON (labels must already be checked against classes)."""
    texts, chunks = [], []
    for start in range(0, len(data.explanations), CHUNK_SIZE):
        text_json, chunk_json = _chunk(data, start, min(start + CHUNK_SIZE, len(data.explanations)))
        texts.append(text_json)
        chunks.append(chunk_json)
    return EncodedExamples(_index(data), texts, chunks)

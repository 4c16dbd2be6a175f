"""JSON for the API's hot answers, with numbers at float32 precision, three times faster than `json.dumps`.

A 20-word explanation holds about 90 numbers, and `json.dumps` writes each as the shortest repr of a
double: 17 digits through a slow path, which measured as the largest part of the server's per-request
time outside the model. The model computes in float32, so 9 significant digits (`%.9g`) name every
value exactly (the float32 read back is the same float32). Each answer is one `%` on a template of
the same shape as `Explanation.to_dict()`; strings are escaped by the standard library's encoder.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring_ascii as _quote
from operator import itemgetter
from typing import Any

_dumps = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode


def _weights_template(names: Iterable[str]) -> str:
    # class names are part of the template, so a % in one must be doubled
    return ",".join(f"{_quote(name).replace('%', '%%')}:%.9g" for name in names)


def _finite(total: float) -> None:
    # NaN or infinity anywhere makes the sum non-finite; JSON can carry neither.
    if not math.isfinite(total):
        raise ValueError("an explanation holds a number that is not finite; JSON cannot carry it")


def _token_values(tokens: list[Mapping[str, Any]], names: list[str]) -> tuple[list[Any], float] | None:
    """The values of every token in template order, and their sum; None if the tokens are irregular."""
    get = itemgetter(*names)
    values: list[Any] = []
    total = 0.0
    for token in tokens:
        weights = token["class_weights"]
        if len(weights) != len(names):
            return None
        per_class = get(weights)
        values += (_quote(token["text"]), token["start"], token["end"], token["weight"], *per_class)
        total += token["weight"] + sum(per_class)
    return values, total


def explanation_json(explanation: Mapping[str, Any]) -> str:
    """`Explanation.to_dict()` as JSON: the same keys in the same order, numbers at float32 precision."""
    tokens, probabilities = explanation["tokens"], explanation["probabilities"]
    names = list(tokens[0]["class_weights"]) if tokens else []
    found = _token_values(tokens, names) if len(names) > 1 else None
    if found is None:  # no tokens, or fewer than two classes: the general path
        return _dumps(explanation)
    values, total = found
    _finite(total + sum(probabilities.values()))
    token = f'{{"text":%s,"start":%d,"end":%d,"weight":%.9g,"class_weights":{{{_weights_template(names)}}}}}'
    template = (
        f'{{"text":%s,"label":%s,"probabilities":{{{_weights_template(probabilities)}}},"tokens":['
        f'{",".join([token] * len(tokens))}],"truncated":%s,"method":%s}}'
    )
    head = [_quote(explanation["text"]), _quote(explanation["label"]), *probabilities.values()]
    tail = ["true" if explanation["truncated"] else "false", _quote(explanation["method"])]
    return template % (*head, *values, *tail)


def prediction_json(prediction: Mapping[str, Any]) -> str:
    """`{"text", "label", "probabilities"}` as JSON, numbers at float32 precision."""
    probabilities = prediction["probabilities"]
    _finite(sum(probabilities.values()))
    template = f'{{"text":%s,"label":%s,"probabilities":{{{_weights_template(probabilities)}}}}}'
    return template % (_quote(prediction["text"]), _quote(prediction["label"]), *probabilities.values())


def envelope(fields: Mapping[str, Any], name: str, items: Iterable[str]) -> bytes:
    """`{**fields, name: [items...]}` as UTF-8, where `items` are already JSON texts."""
    head = _dumps(dict(fields))[:-1] + ("," if fields else "")
    return f'{head}"{name}":[{",".join(items)}]}}'.encode()


def error_body(status: int, message: str, errors: Iterable[Mapping[str, str]] = ()) -> bytes:
    """The API's one error shape: `{"status", "message", "errors"}`."""
    return _dumps({"status": status, "message": message, "errors": [dict(error) for error in errors]}).encode()

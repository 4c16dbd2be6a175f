"""A whole data set as one self-contained HTML file: summary, lexicon and every example as a heatmap.

The template draws only the shell (summary tables, lexicon, controls, footer) with autoescaping; the
examples travel as JSON in `<script type="application/json">` elements (see `report_data`) and
report.js draws one page of them at a time, putting user text into the page only as text nodes. The
page's CSP allows nothing but its own inline script and stylesheet, named by their SHA-256 hashes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.resources
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from attnviz.errors import DataError
from attnviz.explanation import SIGNED_METHODS
from attnviz.lexicon import LexiconEntry, attention_lexicon
from attnviz.metrics.classification import classification_report
from attnviz.render.colors import (
    DARK_PALETTE_NAME,
    DARK_STOPS,
    DIVERGING_PALETTE_NAME,
    DIVERGING_STOPS,
    PALETTE_NAME,
    RGB,
    STOPS,
    hex_colour,
    normalise_weights,
    script_colour_model,
)
from attnviz.render.report_data import CHUNK_SIZE, encode_examples, script_json
from attnviz.render.report_model import ReportData
from attnviz.render.terminal import CONTROL_CHARACTERS

PER_PAGE = 50
# The page's script: the colour model and the text drawing (shared with `attnviz serve`), then its own
# (report_methods.js defines the side-by-side methods block that report.js draws under each text, and
# report_store.js the examples' data and the filters that choose them).
SCRIPTS = ("colors.js", "text.js", "report_methods.js", "report_store.js", "report.js")
LEXICON_SIZE = 15
_SCALE_TEXT = {
    "max": "each text is scaled by its own largest weight (per-text maximum), so its most attended word is "
    "the darkest; shades are not comparable between texts.",
    "fixed": "shade = raw attention weight on a fixed 0-1 scale, comparable between texts; attention sums "
    "to 1 over a text, so long texts look lighter.",
}


@dataclass(frozen=True)
class _Cell:
    count: int
    true: int
    predicted: int
    diagonal: bool


@dataclass(frozen=True)
class _Summary:
    accuracy: str
    macro_f1: str
    examples: int
    rows: list[tuple[str, str, str, str, int]]
    columns: list[str]
    matrix: list[tuple[str, list[_Cell]]]


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("attnviz.render", "templates"),
        autoescape=True,  # always: titles, notes, class names, words and provenance all go through it
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _resource(name: str) -> str:
    return importlib.resources.files("attnviz.render").joinpath("templates", name).read_text(encoding="utf-8")


def _gradient(stops: Sequence[RGB]) -> str:
    """The palette as a CSS gradient: CSS also interpolates linearly in sRGB between evenly spaced stops."""
    parts = [f"{hex_colour(rgb)} {100 * i / (len(stops) - 1):g}%" for i, rgb in enumerate(stops)]
    return f"linear-gradient(to right, {', '.join(parts)})"


@functools.cache
def _stylesheet() -> str:
    ramps = (
        f".ramp {{ background: {_gradient(STOPS)}; }}\n"
        f"@media (prefers-color-scheme: dark) {{ .ramp {{ background: {_gradient(DARK_STOPS)}; }} }}\n"
        f".ramp.signed-ramp {{ background: {_gradient(DIVERGING_STOPS)}; }}\n"  # the same in dark mode
    )
    return _resource("report.css") + ramps


@functools.cache
def _script() -> str:
    return "\n".join(_resource(name) for name in SCRIPTS)


def _sha256(content: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(script: str, style: str) -> str:
    """A CSP that lets the page run exactly `script` and apply exactly `style` (inline), and load nothing."""
    return (
        f"default-src 'none'; script-src {_sha256(script)}; style-src {_sha256(style)}; "
        "base-uri 'none'; form-action 'none'"
    )


@functools.cache
def report_content_security_policy() -> str:
    """The policy every report declares for itself: its own script and stylesheet, which are fixed."""
    return content_security_policy(_script(), _stylesheet())


def _check(data: ReportData) -> None:
    normalise_weights([], data.scale)  # rejects a bad scale before any work
    known = set(data.classes)
    if len(known) != len(data.classes):
        raise DataError("the report's classes must be distinct")
    for position, explanation in enumerate(data.explanations):
        if explanation.label not in known:
            raise DataError(f"example {position} is predicted as {explanation.label!r}, which is not a report class")
    if data.true_labels is None:
        return
    if len(data.true_labels) != len(data.explanations):
        raise DataError("true_labels must have one label per explanation")
    unknown = sorted(set(data.true_labels) - known)
    if unknown:
        raise DataError(f"true label {unknown[0]!r} is not one of the report's classes")


def _metrics(data: ReportData) -> dict[str, Any] | None:
    if data.true_labels is None:
        return None
    if data.metrics is not None:
        return data.metrics
    predicted = [explanation.label for explanation in data.explanations]
    return classification_report(data.true_labels, predicted, data.classes)


def _summary(data: ReportData) -> _Summary | None:
    metrics = _metrics(data)
    if metrics is None:
        return None
    position = {name: number for number, name in enumerate(data.classes)}
    names = [str(name) for name in metrics["classes"]]
    if any(name not in position for name in names):
        raise DataError("the metrics name a class that is not one of the report's classes")
    rows = [
        (name, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", int(s["support"]))
        for name, s in ((name, metrics["per_class"][name]) for name in names)
    ]
    matrix = [
        (
            truth,
            [
                _Cell(int(n), position[truth], position[guess], truth == guess)
                for guess, n in zip(names, row, strict=True)
            ],
        )
        for truth, row in zip(names, metrics["confusion_matrix"], strict=True)
    ]
    accuracy, macro_f1 = float(metrics["accuracy"]), float(metrics["macro_f1"])
    return _Summary(f"{100 * accuracy:.1f}%", f"{macro_f1:.3f}", int(metrics["examples"]), rows, names, matrix)


def _lexicon(data: ReportData) -> list[tuple[int, str, list[LexiconEntry]]]:
    found = attention_lexicon(data.explanations, top=LEXICON_SIZE)
    return [(number, name, found.get(name, [])) for number, name in enumerate(data.classes)]


def _config(data: ReportData, lexicon: list[tuple[int, str, list[LexiconEntry]]], chunks: int) -> Markup:
    return script_json(
        {
            **script_colour_model(),
            "classes": list(data.classes),
            "scale": data.scale,
            "controls": CONTROL_CHARACTERS.pattern,
            "perPage": PER_PAGE,
            "chunkSize": CHUNK_SIZE,
            "chunks": chunks,
            "lexicon": [[list(entry.examples) for entry in entries] for _, _, entries in lexicon],
            "methods": list(data.method_explanations),
            "signedMethods": sorted(set(data.method_explanations) & SIGNED_METHODS),
        }
    )


def _footer(data: ReportData) -> list[tuple[str, str]]:
    p = data.provenance
    return [
        ("attnviz", p.attnviz_version),
        ("model", p.model_name),
        ("model sha256", p.model_sha256),
        ("data", p.data_name),
        ("data sha256", p.data_sha256),
        ("created", p.created),
    ]


def render_report(data: ReportData) -> str:
    """One self-contained HTML page for a whole data set: summary and confusion matrix (labelled data),
    per-class attention lexicon, and every example as a heatmap with filters, sorting, search and pages.

    The page loads nothing and runs only its own script, so it works opened from disk and offline.
    """
    _check(data)
    encoded = encode_examples(data)
    lexicon = _lexicon(data)
    style, script = _stylesheet(), _script()
    if "</" in style or "</" in script:
        raise AssertionError("report.css and report.js must not contain '</'")  # would end their element
    template = _environment().get_template("report.html.j2")
    return template.render(
        title=data.title,
        notes=data.notes,
        classes=data.classes,
        total=len(data.explanations),
        labelled=data.true_labels is not None,
        summary=_summary(data),
        lexicon=lexicon,
        scale=data.scale,
        scale_text=_SCALE_TEXT[data.scale],
        palette=PALETTE_NAME,
        dark_palette=DARK_PALETTE_NAME,
        methods=["attention", *data.method_explanations] if data.method_explanations else [],
        signed=any(method in SIGNED_METHODS for method in data.method_explanations),
        diverging_palette=DIVERGING_PALETTE_NAME,
        footer=_footer(data),
        csp=report_content_security_policy(),
        style=Markup(style),  # noqa: S704 - our own stylesheet, hashed into the CSP
        script=Markup(script),  # noqa: S704 - our own script, hashed into the CSP
        config=_config(data, lexicon, len(encoded.chunks)),
        index=encoded.index,
        chunks=list(zip(encoded.texts, encoded.chunks, strict=True)),
    )

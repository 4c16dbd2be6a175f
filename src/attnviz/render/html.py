"""Explanations as HTML: a fragment for notebooks and a standalone page, from one set of templates.

Safety rests on three rules: the Jinja environment autoescapes everything (text nodes and quoted
attributes alike); user strings are never marked safe; the only `style=` values are colours and widths
we format from numbers. The standalone page also carries a CSP that forbids loading or running anything.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import jinja2

from attnviz.errors import DataError
from attnviz.explanation import Explanation
from attnviz.render._legend import SIGNED_STEPS, SIGNED_TEXT, any_signed
from attnviz.render.colors import (
    DIVERGING_PALETTE_NAME,
    PALETTE_NAME,
    RGB,
    Scale,
    hex_colour,
    is_signed,
    normalise_weights,
    shade,
    shade_signed,
    shading_values,
    text_colour,
    token_weights,
    top_tokens,
)
from attnviz.render.terminal import CONTROL_CHARACTERS

# The standalone page's own policy: its inline styles apply, nothing loads and nothing runs.
PAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

_SPLIT_CONTROLS = re.compile(f"({CONTROL_CHARACTERS.pattern})")
_LEGEND_STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)
_LEGEND_TEXT = {
    "max": "Darker = more attention. Each text is scaled by its own largest weight, so its most "
    "attended word is the darkest; shades are not comparable between texts.",
    "fixed": "Darker = more attention. Shade = raw attention weight (0 to 1), comparable between texts; "
    "attention sums to 1 over a text, so long texts look lighter.",
}


@dataclass(frozen=True)
class _Run:
    """A stretch of one piece: plain text, a carriage return, or one control character shown as a marker."""

    text: str
    kind: str = "text"
    code: str = ""


@dataclass(frozen=True)
class _Piece:
    """A token (with our colour style and its weight) or a gap (style empty)."""

    runs: list[_Run]
    style: str = ""
    weight: str = ""
    data_weight: str = ""
    description: str = ""


@dataclass(frozen=True)
class _TextView:
    read: list[_Piece]
    tail: list[_Piece]


@dataclass(frozen=True)
class _ClassRow:
    name: str
    probability: str
    percent: str
    predicted: bool


@dataclass(frozen=True)
class _Block:
    label: str
    label_probability: str
    view: str
    classes: list[_ClassRow]
    text: _TextView
    top: list[tuple[list[_Run], str]]
    truncated: bool
    words_read: int
    per_class: list[tuple[str, _TextView]]
    method: str
    # Other methods' views of the same text, drawn side by side with this one (empty for a single method).
    methods: list[tuple[str, _TextView]] = field(default_factory=list)


@dataclass(frozen=True)
class _Swatch:
    label: str
    style: str


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("attnviz.render", "templates"),
        autoescape=True,  # always: every text, label, class name and title goes through it
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _runs(text: str) -> list[_Run]:
    """Split so that control characters can be shown (and bidi overrides isolated) by the template.

    A \\r becomes a character reference there: a raw one would be dropped by the browser's newline
    normalisation and the page's text would no longer equal the original.
    """
    runs: list[_Run] = []
    for part in _SPLIT_CONTROLS.split(text):
        if part == "\r":
            runs.append(_Run(part, "cr"))
        elif len(part) == 1 and CONTROL_CHARACTERS.fullmatch(part):
            runs.append(_Run(part, "control", f"U+{ord(part):04X}"))
        elif part:
            runs.append(_Run(part))
    return runs


def colour_style(value: float) -> str:
    """Both palettes for one shading value as CSS custom properties; attnviz.css picks the pair to use.

    Carrying the dark pair too lets `prefers-color-scheme: dark` switch palettes without any script.
    """
    return _custom_properties(shade(value), shade(value, dark=True))


def signed_colour_style(value: float) -> str:
    """A signed score's colour (diverging palette), the same in light and dark mode."""
    return _custom_properties(shade_signed(value), shade_signed(value))


def _custom_properties(light: RGB, dark: RGB) -> str:
    return (
        f"--attnviz-bg:{hex_colour(light)};--attnviz-fg:{hex_colour(text_colour(light))};"
        f"--attnviz-bg-dark:{hex_colour(dark)};--attnviz-fg-dark:{hex_colour(text_colour(dark))}"
    )


def _token_piece(text: str, value: float, weight: float, signed: bool, name: str) -> _Piece:
    style = signed_colour_style(value) if signed else colour_style(value)
    return _Piece(_runs(text), style, f"{weight:.3f}", f"{weight:.6g}", f"{name} {weight:.3f}")


def _text_view(
    explanation: Explanation, values: list[float], weights: list[float], signed: bool = False, name: str = "attention"
) -> _TextView:
    """The whole text as pieces, split at `read_end` so the unread tail can be dimmed."""
    value_iter, weight_iter = iter(values), iter(weights)
    read: list[_Piece] = []
    tail: list[_Piece] = []
    position = 0
    for text, token in explanation.segments():
        if token is None:
            piece = _Piece(_runs(text))
        else:
            piece = _token_piece(text, next(value_iter), next(weight_iter), signed, name)
        (read if position < explanation.read_end else tail).append(piece)
        position += len(text)
    return _TextView(read, tail)


def class_view(explanation: Explanation, scale: Scale, view: str | None) -> _TextView:
    """One text shaded by the weights of `view` (a class, or None for the weights used); a signed
    method's own weights use the diverging palette, scaled by the largest absolute weight."""
    weights = token_weights(explanation, view)
    name = explanation.method if view is None else "attention"
    values = shading_values(explanation, scale, view=view)
    return _text_view(explanation, values, weights, signed=is_signed(explanation, view), name=name)


def _class_rows(explanation: Explanation) -> list[_ClassRow]:
    rows = []
    for name, probability in explanation.probabilities.items():
        width = min(1.0, max(0.0, probability)) if math.isfinite(probability) else 0.0
        rows.append(_ClassRow(name, f"{probability:.3f}", f"{100 * width:.1f}", name == explanation.label))
    return rows


def _per_class(explanation: Explanation, scale: Scale) -> list[tuple[str, _TextView]]:
    """One text view per class that has class weights (methods without them get no per-class view)."""
    names = [c for c in explanation.classes if any(c in t.class_weights for t in explanation.tokens)]
    return [(name, class_view(explanation, scale, name)) for name in names]


def check_view(explanation: Explanation, view: str | None) -> None:
    """Raise DataError unless `view` is None or one of the explanation's classes (shared by every renderer)."""
    if view is not None and view not in explanation.probabilities:
        known = ", ".join(repr(c) for c in explanation.classes)
        raise DataError(f"view {view!r} is not a class of this explanation; use one of: {known}")


def _block(explanation: Explanation, scale: Scale, view: str | None, per_class: bool) -> _Block:
    check_view(explanation, view)
    predicted = explanation.probabilities.get(explanation.label)
    top = [(_runs(word), f"{weight:.3f}") for word, weight in top_tokens(explanation, 5, view=view)]
    return _Block(
        label=explanation.label,
        label_probability="" if predicted is None else f"{predicted:.3f}",
        view=view or "",
        classes=_class_rows(explanation),
        text=class_view(explanation, scale, view),
        top=top,
        truncated=explanation.truncated,
        words_read=len(explanation.tokens),
        per_class=_per_class(explanation, scale) if per_class else [],
        method=explanation.method,
    )


def _blocks(explanations: Sequence[Explanation], scale: Scale, view: str | None, per_class: bool) -> list[_Block]:
    """One block per text: consecutive explanations of the same text by different methods (as
    `attnviz explain --method A --method B` gives them) become one block with a row per method."""
    blocks: list[_Block] = []
    leader: Explanation | None = None
    for explanation in explanations:
        rows = (blocks[-1].methods or [(blocks[-1].method, blocks[-1].text)]) if blocks else []
        if leader is not None and _joins(leader, explanation, [method for method, _ in rows]):
            check_view(explanation, view)
            row = (explanation.method, class_view(explanation, scale, view))  # only its text: the block has the rest
            blocks[-1] = replace(blocks[-1], methods=[*rows, row])
        else:
            blocks.append(_block(explanation, scale, view, per_class))
            leader = explanation
    return blocks


def _joins(leader: Explanation, explanation: Explanation, methods: list[str]) -> bool:
    """Whether `explanation` is another method's view of the text `leader` explained."""
    same = leader.text == explanation.text and leader.label == explanation.label
    return same and explanation.method not in methods


def _legend(scale: Scale) -> dict[str, object]:
    swatches = [_Swatch(f"{value:g}", colour_style(value)) for value in _LEGEND_STEPS]
    return {
        "title": "Attention",
        "swatches": swatches,
        "text": _LEGEND_TEXT[scale],
        "scale": scale,
        "palette": PALETTE_NAME,
    }


def _legends(explanations: Sequence[Explanation], scale: Scale, view: str | None) -> list[dict[str, object]]:
    """The attention legend, and the signed scores' legend when a signed method's scores are drawn."""
    legends = [_legend(scale)]
    if any_signed(explanations, view):
        swatches = [_Swatch(f"{value:g}", signed_colour_style(value)) for value in SIGNED_STEPS]
        legends.append(
            {
                "title": "Signed",
                "swatches": swatches,
                "text": SIGNED_TEXT,
                "scale": "max |score|",
                "palette": DIVERGING_PALETTE_NAME,
            }
        )
    return legends


def render_fragment(explanations: Sequence[Explanation], *, scale: Scale = "max", view: str | None = None) -> str:
    """An HTML fragment (no scripts, CSS scoped under `.attnviz`) for notebooks and embedding.

    `view` None shades the attention used for the prediction; a class name shades that class's own
    attention instead.
    """
    normalise_weights([], scale)  # rejects a bad scale before any work
    blocks = _blocks(explanations, scale, view, per_class=False)
    template = environment().get_template("fragment.html.j2")
    return template.render(blocks=blocks, legends=_legends(explanations, scale, view))


def render_page(
    explanations: Sequence[Explanation], *, title: str = "attnviz explanations", scale: Scale = "max"
) -> str:
    """A standalone HTML5 page: inline CSS, a legend, a per-class view under each text, and a CSP
    that lets nothing load or run."""
    normalise_weights([], scale)
    blocks = _blocks(explanations, scale, None, per_class=True)
    template = environment().get_template("page.html.j2")
    return template.render(
        blocks=blocks, legends=_legends(explanations, scale, None), title=title, csp=PAGE_CONTENT_SECURITY_POLICY
    )

"""The one colour model every output format shares: weight -> [0, 1] -> background -> readable text colour.

The palette is ColorBrewer's sequential "Blues" (9 classes, Cynthia Brewer, colorbrewer2.org), which
ColorBrewer marks colour-blind safe and which varies mostly in lightness: every channel falls from
stop to stop, so luminance falls strictly as the value grows and "darker" always means "more attention",
also in greyscale. Values between stops are interpolated linearly in sRGB. Signed methods' scores
(evidence for or against the prediction) go to [-1, 1] and the diverging "RdBu" instead; `token_colours`
picks the palette for every format.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from attnviz.explanation import SIGNED_METHODS, Explanation

RGB = tuple[int, int, int]
Scale = Literal["max", "fixed"]

BLACK: RGB = (0, 0, 0)
WHITE: RGB = (255, 255, 255)

# ColorBrewer Blues, 9 classes, lightest first.
STOPS: tuple[RGB, ...] = (
    (0xF7, 0xFB, 0xFF),
    (0xDE, 0xEB, 0xF7),
    (0xC6, 0xDB, 0xEF),
    (0x9E, 0xCA, 0xE1),
    (0x6B, 0xAE, 0xD6),
    (0x42, 0x92, 0xC6),
    (0x21, 0x71, 0xB5),
    (0x08, 0x51, 0x9C),
    (0x08, 0x30, 0x6B),
)
PALETTE_NAME = "ColorBrewer Blues"

# Dark-mode variant for HTML (prefers-color-scheme: dark): from near the page's dark background up to
# Blues' #2171b5, so more attention reads as brighter blue. Luminance rises strictly from stop to stop and
# stays below 0.16, so white text keeps at least 4.5:1 on every shade.
DARK_STOPS: tuple[RGB, ...] = (
    (0x1F, 0x26, 0x30),
    (0x12, 0x3F, 0x6E),
    (0x21, 0x71, 0xB5),
)
DARK_PALETTE_NAME = "ColorBrewer Blues, dark variant"

# For signed scores (gradient x input, integrated gradients, leave-one-out): ColorBrewer's diverging
# "RdBu" (9 classes, marked colour-blind safe), red for evidence against the predicted class, near-white
# for none, blue for evidence for it, so "blue" keeps meaning "this word supports the prediction".
DIVERGING_STOPS: tuple[RGB, ...] = (
    (0xB2, 0x18, 0x2B),
    (0xD6, 0x60, 0x4D),
    (0xF4, 0xA5, 0x82),
    (0xFD, 0xDB, 0xC7),
    (0xF7, 0xF7, 0xF7),
    (0xD1, 0xE5, 0xF0),
    (0x92, 0xC5, 0xDE),
    (0x43, 0x93, 0xC3),
    (0x21, 0x66, 0xAC),
)
DIVERGING_PALETTE_NAME = "ColorBrewer RdBu"


def _unit(value: float) -> float:
    """Clip to [0, 1]; NaN (a broken weight) counts as no attention rather than poisoning the output."""
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


def token_weights(explanation: Explanation, view: str | None = None) -> list[float]:
    """The raw weight of every token: the prediction's (view None) or the class `view`'s own weights.

    A token that has no weight for that class counts as 0.
    """
    if view is None:
        return [token.weight for token in explanation.tokens]
    return [token.class_weights.get(view, 0.0) for token in explanation.tokens]


def normalise_weights(weights: Sequence[float], scale: Scale = "max") -> list[float]:
    """Map raw weights to [0, 1] for shading.

    "max": divide by the largest weight, so the most-attended word is always the darkest and texts of
    different lengths stay comparable (attention sums to 1, so long texts would otherwise look pale).
    Constant positive weights therefore all map to 1; all-zero, negative or non-finite weights map to 0.
    "fixed": the raw weight clipped to [0, 1], comparable across texts.
    """
    if scale not in ("max", "fixed"):
        raise ValueError(f"scale must be 'max' or 'fixed', not {scale!r}")
    finite = [w if math.isfinite(w) else 0.0 for w in weights]
    if scale == "fixed":
        return [_unit(w) for w in finite]
    largest = max(finite, default=0.0)
    if largest <= 0.0:
        return [0.0 for _ in finite]
    return [_unit(w / largest) for w in finite]


def normalise(explanation: Explanation, scale: Scale = "max", *, view: str | None = None) -> list[float]:
    """Per token of `explanation`, its shading value in [0, 1] (see `normalise_weights`)."""
    return normalise_weights(token_weights(explanation, view), scale)


def normalise_signed(weights: Sequence[float]) -> list[float]:
    """Signed weights to [-1, 1] by the largest absolute weight (0 stays 0; non-finite counts as 0)."""
    finite = [w if math.isfinite(w) else 0.0 for w in weights]
    largest = max((abs(w) for w in finite), default=0.0)
    return [max(-1.0, min(1.0, w / largest)) if largest > 0 else 0.0 for w in finite]


def is_signed(explanation: Explanation, view: str | None = None) -> bool:
    """Whether the weights shown are a signed method's own scores, drawn with the diverging palette
    (a class view always shows attention, which is never negative)."""
    return view is None and explanation.method in SIGNED_METHODS


def shading_values(explanation: Explanation, scale: Scale = "max", *, view: str | None = None) -> list[float]:
    """Per token, the value its shade is drawn from: a signed method's scores in [-1, 1] by the largest
    absolute score (the scale applies to attention only), anything else in [0, 1] (`normalise`)."""
    if is_signed(explanation, view):
        return normalise_signed(token_weights(explanation))
    return normalise(explanation, scale, view=view)


def token_colours(explanation: Explanation, scale: Scale = "max", *, view: str | None = None) -> list[RGB]:
    """Per token, its background: blue for evidence for the prediction and red against it for a signed
    method, the sequential palette for everything else. Every format but the HTML draws these."""
    return colours_of(shading_values(explanation, scale, view=view), is_signed(explanation, view))


def colours_of(values: Sequence[float], signed: bool) -> list[RGB]:
    """Backgrounds for `shading_values`: the diverging palette if `signed`, else the sequential one."""
    return [shade_signed(value) for value in values] if signed else list(map(shade, values))


def shade_signed(value: float) -> RGB:
    """Background colour for a value in [-1, 1]: red at -1, near-white at 0, blue at 1 (clipped outside)."""
    return _interpolate(DIVERGING_STOPS, (max(-1.0, min(1.0, value)) + 1) / 2 if math.isfinite(value) else 0.5)


def shade(value: float, *, dark: bool = False) -> RGB:
    """Background colour for a value in [0, 1]: near-white at 0, dark blue at 1 (clipped outside).

    `dark` picks the dark-mode palette instead: near-black at 0, bright blue at 1.
    """
    return _interpolate(DARK_STOPS if dark else STOPS, value)


def _interpolate(stops: Sequence[RGB], value: float) -> RGB:
    position = _unit(value) * (len(stops) - 1)
    index = min(int(position), len(stops) - 2)
    fraction = position - index
    low, high = stops[index], stops[index + 1]
    r, g, b = (round(a + (z - a) * fraction) for a, z in zip(low, high, strict=True))
    return (r, g, b)


def _linear(channel: int) -> float:
    """sRGB channel (0-255) to linear light, as WCAG 2 defines it."""
    c = channel / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def script_colour_model() -> dict[str, list[list[int]] | list[float]]:
    """The numbers colors.js needs to shade exactly as this module does: the palettes' stops and the
    sRGB -> linear value of every channel level (so its WCAG text colour uses Python's arithmetic)."""
    return {
        "stops": [list(rgb) for rgb in STOPS],
        "darkStops": [list(rgb) for rgb in DARK_STOPS],
        "divergingStops": [list(rgb) for rgb in DIVERGING_STOPS],
        "linear": [_linear(level) for level in range(256)],
    }


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance: 0 for black, 1 for white."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG 2 contrast ratio between two colours, from 1 (same) to 21 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def text_colour(rgb: RGB) -> RGB:
    """Black or white, whichever contrasts more with `rgb`.

    The better of the two always reaches at least 4.58:1 (the worst case is a background whose
    luminance is sqrt(0.0525) - 0.05), so every shade passes WCAG AA for normal text.
    """
    return BLACK if contrast_ratio(rgb, BLACK) >= contrast_ratio(rgb, WHITE) else WHITE


def hex_colour(rgb: RGB) -> str:
    """`#rrggbb`, the only form colours take in our HTML (never built from user strings)."""
    r, g, b = (min(255, max(0, int(c))) for c in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def top_tokens(explanation: Explanation, top: int = 5, *, view: str | None = None) -> list[tuple[str, float]]:
    """The `top` tokens with the largest raw weight, as (surface, weight), earliest first among ties."""
    weights = token_weights(explanation, view)
    ranked = sorted(range(len(weights)), key=lambda i: -weights[i] if math.isfinite(weights[i]) else math.inf)
    return [(explanation.tokens[i].text, weights[i]) for i in ranked[: max(0, top)]]

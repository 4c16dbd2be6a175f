"""The picture formats' legends: a colour bar per palette drawn onto a `Page`, labelled, with its sentence."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from attnviz.explanation import Explanation
from attnviz.render import _layout
from attnviz.render._layout import BLACK_TEXT, GREY_TEXT, Box, Label, Page
from attnviz.render._legend import (
    LEGEND_STEPS,
    SCALE_NAMES,
    SIGNED_STEPS,
    any_signed,
    legend_sentence,
    signed_sentence,
    uniform_levels,
)
from attnviz.render.colors import RGB, Scale, hex_colour, shade, shade_signed

_BAR_STEPS = 64
_BAR_HEIGHT = 10.0  # points


def draw_legend(page: Page, scale: Scale, explanations: Sequence[Explanation], view: str | None) -> None:
    """A colour bar of the palette from 0 to 1 under the scale's name, then what the scale means; the
    same for the signed palette from -1 to 1 when a signed method's scores are drawn."""
    page.paragraph(f"Attention (scale: {SCALE_NAMES[scale]})", bold=True)
    top = page.y + 4.0 + (_layout.SMALL * 1.6 if scale == "fixed" else 0.0)
    left, width = _colour_bar(page, top, shade, LEGEND_STEPS)
    if scale == "fixed":
        _uniform_marks(page, uniform_levels(explanations), left, width, top)
    page.y = top + _BAR_HEIGHT + _layout.SMALL * 2.0
    page.paragraph(legend_sentence(scale), size=_layout.SMALL, colour=GREY_TEXT)
    if any_signed(explanations, view):
        page.gap(_layout.SMALL * 0.6)
        page.paragraph("Signed scores (scale: per-text maximum |score|)", bold=True)
        top = page.y + 4.0
        _colour_bar(page, top, shade_signed, SIGNED_STEPS)
        page.y = top + _BAR_HEIGHT + _layout.SMALL * 2.0
        page.paragraph(signed_sentence(), size=_layout.SMALL, colour=GREY_TEXT)


def _colour_bar(page: Page, top: float, colour: Callable[[float], RGB], steps: Sequence[float]) -> tuple[float, float]:
    """A bar of `colour` from the first of `steps` to the last, labelled at each step; its left and width."""
    left, width = page.left, min(320.0, page.right - page.left)
    low, high = steps[0], steps[-1]
    slice_width = width / _BAR_STEPS
    for i in range(_BAR_STEPS):
        value = low + (high - low) * (i + 0.5) / _BAR_STEPS
        # a sliver of overlap hides the seams between neighbouring slices
        page.items.append(Box(left + i * slice_width, top, slice_width + 0.5, _BAR_HEIGHT, hex_colour(colour(value))))
    page.items.append(Box(left, top, width, _BAR_HEIGHT, "none", edge=GREY_TEXT))
    for value in steps:
        x = left + (value - low) / (high - low) * width
        page.items.append(
            Label(x, top + _BAR_HEIGHT + _layout.SMALL * 1.2, f"{value:g}", _layout.SMALL, align="center")
        )
    return left, width


def _uniform_marks(page: Page, levels: list[int], left: float, width: float, top: float) -> None:
    """Tick the 1/n level of every text length (only the extremes when there are many)."""
    shown = levels if len(levels) <= 4 else [levels[0], levels[-1]]
    for count in shown:
        x = left + width / count
        page.items.append(Box(x - 0.5, top - 3.0, 1.0, _BAR_HEIGHT + 3.0, BLACK_TEXT))
        page.items.append(Label(x, top - 4.0, f"1/{count}", _layout.SMALL, align="center"))

"""Explanations as pictures (PNG and SVG), drawn with matplotlib from the shared colour model.

matplotlib is imported inside the functions, so `import attnviz.render` stays light; figures are built
with `matplotlib.figure.Figure` directly, never through pyplot's global state. All user text is drawn
with `parse_math=False` (a `$` is a dollar sign) and through `visible_text`, so control characters show
as escape spellings and nothing invalid in XML reaches an SVG; matplotlib escapes the rest.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from attnviz.errors import ConfigError, DataError
from attnviz.explanation import Explanation
from attnviz.render import _layout
from attnviz.render._image_legend import draw_legend
from attnviz.render._layout import GREY_TEXT, Box, Label, Page
from attnviz.render._legend import method_note, uniform_note
from attnviz.render.colors import Scale, normalise_weights, token_colours
from attnviz.render.html import check_view

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

DEFAULT_WIDTH = 8.0  # inches
DEFAULT_DPI = 150.0
# Fonts with CJK glyphs that matplotlib can use as fallbacks when installed (never colour-emoji fonts,
# whose bitmap glyphs matplotlib cannot draw).
_FALLBACK_FONTS = (
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
_QUIET = r"Glyph \d+ .* missing from font|Matplotlib currently does not support"
_AGG_LIMIT = 2**16  # pixels per side that matplotlib's Agg renderer accepts


@dataclass(frozen=True)
class TokenBox:
    """Where one shaded token box landed, in pixels of the PNG at the drawing's dpi (origin top left).

    A token that wraps or holds a space is drawn as several boxes, numbered by `part`; the SVG names
    each box's group `attnviz-token-<example>-<token>-<part>`.
    """

    example: int
    token: int
    part: int
    x0: float
    y0: float
    x1: float
    y1: float
    colour: str

    @property
    def gid(self) -> str:
        return token_gid(self.example, self.token, self.part)


def token_gid(example: int, token: int, part: int) -> str:
    """The id of a token box's group in the SVG."""
    return f"attnviz-token-{example}-{token}-{part}"


@dataclass(frozen=True)
class Drawing:
    """A laid-out figure and its token boxes; `render_png`/`render_svg` save it."""

    figure: Figure
    boxes: list[TokenBox]
    dpi: float


@contextmanager
def _quiet_matplotlib() -> Iterator[None]:
    """Our settings for the figure's lifetime, and no missing-glyph warnings (CJK, emoji without a font)."""
    import matplotlib

    with (
        matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "attnviz", "text.usetex": False}),
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("ignore", message=_QUIET, category=UserWarning)
        yield


def _font_families() -> list[str]:
    from matplotlib.font_manager import fontManager

    installed = {font.name for font in fontManager.ttflist}
    # The generic family last: in an SVG it lets the viewer fall back to any font that has the glyphs.
    return ["DejaVu Sans", *(name for name in _FALLBACK_FONTS if name in installed), "sans-serif"]


def _measurer(figure: Figure, dpi: float) -> _layout.Measure:
    """Text width in points as the Agg renderer lays it out at `dpi`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]  # untyped in matplotlib
    families = _font_families()
    cache: dict[tuple[str, float, bool, bool], float] = {}

    def measure(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
        key = (text, size, bold, italic)
        if key not in cache:
            width, _, _ = renderer.get_text_width_height_descent(
                text, _font(families, size, bold, italic), ismath=False
            )
            cache[key] = width * 72 / dpi
        return cache[key]

    return measure


def _font(families: list[str], size: float, bold: bool, italic: bool) -> FontProperties:
    from matplotlib.font_manager import FontProperties

    return FontProperties(
        family=families, size=size, weight="bold" if bold else "normal", style="italic" if italic else "normal"
    )


def _header(page: Page, explanation: Explanation, scale: Scale) -> None:
    predicted = explanation.probabilities.get(explanation.label)
    label = _layout.visible_text(explanation.label)
    head = f"Predicted: {label}" + ("" if predicted is None else f" ({predicted:.3f})")
    classes = "  ".join(f"{_layout.visible_text(name)} {p:.3f}" for name, p in explanation.probabilities.items())
    notes = (classes, uniform_note(explanation, scale), _layout.visible_text(method_note(explanation)))
    page.paragraph(head, bold=True, end=False)
    page.paragraph("   " + "  ".join(part for part in notes if part), size=_layout.SMALL, colour=GREY_TEXT)


def _block(page: Page, example: int, explanation: Explanation, scale: Scale, view: str | None) -> None:
    check_view(explanation, view)
    page.gap(_layout.SIZE * 0.6)
    _header(page, explanation, scale)
    if not explanation.text:
        page.paragraph("(empty text)", italic=True, colour=GREY_TEXT)
    else:
        page.text(example, explanation, token_colours(explanation, scale, view=view))
    if explanation.truncated:
        count = len(explanation.tokens)
        note = f"Truncated: the model read the first {count} words; the grey rest was not read."
        page.paragraph(note, size=_layout.SMALL, italic=True, colour=GREY_TEXT)


def draw_figure(
    explanations: Sequence[Explanation],
    *,
    scale: Scale = "max",
    view: str | None = None,
    width: float = DEFAULT_WIDTH,
    dpi: float = DEFAULT_DPI,
) -> Drawing:
    """Lay out and draw the explanations on a new figure `width` inches wide; the height follows the text.

    The returned boxes say where each token's shade is in the PNG `render_png` makes with the same
    arguments (the layout is deterministic).
    """
    if not explanations:
        raise DataError("there are no explanations to draw; pass at least one Explanation")
    normalise_weights([], scale)  # rejects a bad scale before any work
    if not (math.isfinite(width) and width >= 1):
        raise ConfigError(f"width {width!r} is too narrow to draw text; give at least 1 (inch)")
    if not (math.isfinite(dpi) and dpi > 0):
        raise ConfigError(f"dpi {dpi!r} is not a resolution; give a positive number such as {DEFAULT_DPI:g}")
    with _quiet_matplotlib():
        from matplotlib.figure import Figure

        figure = Figure(figsize=(width, 1.0), dpi=dpi, facecolor="white")
        page = Page(_measurer(figure, dpi), width * 72)
        draw_legend(page, scale, explanations, view)
        for example, explanation in enumerate(explanations):
            _block(page, example, explanation, scale, view)
        boxes = _draw(figure, page, dpi)
    return Drawing(figure, boxes, dpi)


def _draw(figure: Figure, page: Page, dpi: float) -> list[TokenBox]:
    """Size the figure to the page and add its artists; returns the token boxes in pixels."""
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Affine2D

    height_px = math.ceil((page.y + _layout.MARGIN) * dpi / 72)
    figure.set_size_inches(figure.get_figwidth(), height_px / dpi)
    # Page coordinates are points from the top left; this maps them to the figure at any dpi (PNG or SVG).
    transform = Affine2D().scale(1 / 72, -1 / 72).translate(0, height_px / dpi) + figure.dpi_scale_trans
    families = _font_families()
    boxes = []
    for item in page.items:
        if isinstance(item, Box):
            gid = None if item.token is None else token_gid(*item.token)
            rectangle = Rectangle((item.x, item.y), item.width, item.height, transform=transform, gid=gid)
            # Without an edge it is a slice of the legend's bar: no antialiasing, so no seams between slices.
            rectangle.set(facecolor=item.colour, edgecolor=item.edge, linewidth=0.5 if item.edge != "none" else 0)
            rectangle.set_antialiased(item.edge != "none")
            figure.add_artist(rectangle)
            if item.token is not None:
                boxes.append(_token_box(item, dpi))
        else:
            _add_label(figure, item, transform, families)
    return boxes


def _token_box(box: Box, dpi: float) -> TokenBox:
    assert box.token is not None  # only called for token boxes
    scale = dpi / 72
    x0, y0 = box.x * scale, box.y * scale
    return TokenBox(*box.token, x0, y0, x0 + box.width * scale, y0 + box.height * scale, box.colour)


def _add_label(figure: Figure, label: Label, transform: Any, families: list[str]) -> None:
    figure.text(
        label.x,
        label.y,
        label.text,
        transform=transform,
        fontproperties=_font(families, label.size, label.bold, label.italic),
        color=label.colour,
        ha=label.align,
        va="baseline",
        parse_math=False,
    )


def render_png(
    explanations: Sequence[Explanation],
    *,
    scale: Scale = "max",
    view: str | None = None,
    width: float = DEFAULT_WIDTH,
    dpi: float = DEFAULT_DPI,
) -> bytes:
    """The explanations as a PNG image: a legend, then per text its prediction and its shaded words.

    Long texts wrap to `width` inches; the unread tail of a truncated text is grey with a note. Glyphs
    missing from the installed fonts (CJK, emoji) are drawn as boxes, silently.
    """
    drawing = draw_figure(explanations, scale=scale, view=view, width=width, dpi=dpi)
    pixels = max(drawing.figure.get_figheight(), width) * dpi
    if pixels >= _AGG_LIMIT:
        raise DataError(
            f"the image would be {pixels:.0f} pixels on a side, over matplotlib's limit of {_AGG_LIMIT}; "
            "draw fewer or shorter texts, lower the dpi, or use render_svg"
        )
    buffer = io.BytesIO()
    with _quiet_matplotlib():
        drawing.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def render_svg(
    explanations: Sequence[Explanation],
    *,
    scale: Scale = "max",
    view: str | None = None,
    width: float = DEFAULT_WIDTH,
) -> str:
    """The explanations as SVG, deterministic for equal input (fixed hash salt, no date).

    Text stays text (searchable, selectable; the viewer's fonts draw CJK and emoji); each token's box is a
    group with id `attnviz-token-<example>-<token>-<part>`.
    """
    drawing = draw_figure(explanations, scale=scale, view=view, width=width, dpi=72)
    buffer = io.StringIO()
    with _quiet_matplotlib():
        drawing.figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()

"""Word-by-word layout for the picture formats: where every word, shaded box and note goes, in points.

Plain data and arithmetic only (the text measure is passed in), so it is independent of matplotlib;
`image.py` turns the placed items into artists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from attnviz.explanation import Explanation
from attnviz.render.colors import RGB, hex_colour, text_colour
from attnviz.render.terminal import escape_controls

# (text, font size in points, bold, italic) -> width in points
Measure = Callable[[str, float, bool, bool], float]

SIZE = 11.0  # points, the texts
SMALL = 9.0  # points, notes and the legend
MARGIN = 18.0  # points
LINE = 1.8  # line height as a multiple of the font size: room between rows of shaded boxes
BLACK_TEXT = "#1f2328"
GREY_TEXT = "#6e7781"  # the HTML's dimmed grey: 4.6:1 on white, so the unread tail stays legible
OUTLINE = "#d8dee4"  # the HTML's token outline: marks where a token starts and ends even at the lightest shade
_PAD = 1.5  # points of shade either side of a token's glyphs
_ASCENT, _DESCENT = 0.98, 0.32  # box extent around the baseline, in font sizes (DejaVu Sans)
# Surrogates and the two non-characters XML 1.0 forbids; controls are handled by escape_controls.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
# Spaces break lines; controls that Python counts as whitespace (\x0b, \x1c...) stay words, shown spelled.
_SEPARATORS = re.compile(r"(\r\n|\n|[^\S\r\n\x0b\x0c\x1c-\x1f\x85]+)")
Token = tuple[int, int, int]  # (example, token index, part)


def visible_text(text: str) -> str:
    """`text` with control characters, bidi overrides and XML-invalid code points spelled out (`\\x1b`)."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", escape_controls(text))


@dataclass(frozen=True)
class Box:
    """A filled rectangle; `token` is set for a token's shade (example, token index, part)."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    edge: str = "none"
    token: Token | None = None


@dataclass(frozen=True)
class Label:
    """Text drawn with its baseline at `y`."""

    x: float
    y: float
    text: str
    size: float
    colour: str = BLACK_TEXT
    bold: bool = False
    italic: bool = False
    align: str = "left"


@dataclass
class _Style:
    size: float = SIZE
    colour: str = BLACK_TEXT
    bold: bool = False
    italic: bool = False
    shade: str | None = None  # the box colour for a token
    token: tuple[int, int] | None = None


@dataclass
class Page:
    """A column `width` points wide filled top to bottom; `y` is the top of the line being filled."""

    measure: Measure
    width: float
    items: list[Box | Label] = field(default_factory=list)
    y: float = MARGIN
    x: float = MARGIN
    _open: bool = False  # something is on the current line
    _line_size: float = SIZE
    _pending: float = 0.0  # the space before the next word, dropped if the line breaks there
    _pending_text: str = ""
    _run: tuple[_Style, int] | None = None  # the plain label that the next word of that style extends
    _parts: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def left(self) -> float:
        return MARGIN

    @property
    def right(self) -> float:
        return self.width - MARGIN

    def break_line(self) -> None:
        self.y += LINE * (self._line_size if self._open else SIZE)
        self.x, self._open, self._pending, self._pending_text, self._run = self.left, False, 0.0, "", None

    def finish(self) -> None:
        """End the current line if anything is on it."""
        if self._open:
            self.break_line()

    def gap(self, amount: float) -> None:
        self.finish()
        self.y += amount

    def paragraph(
        self,
        text: str,
        size: float = SIZE,
        colour: str = BLACK_TEXT,
        *,
        bold: bool = False,
        italic: bool = False,
        end: bool = True,
    ) -> None:
        """Words wrapped to the column; `end=False` leaves the line open for more."""
        self._flow(text, _Style(size, colour, bold, italic))
        if end:
            self.finish()

    def text(self, example: int, explanation: Explanation, colours: list[RGB]) -> None:
        """The explanation's whole text, each token over its colour, the unread tail grey."""
        shades = iter(colours)
        position, index = 0, 0
        for piece, token in explanation.segments():
            style = _Style()
            if token is not None:
                background = next(shades)
                style = _Style(colour=hex_colour(text_colour(background)), shade=hex_colour(background))
                style.token = (example, index)
                index += 1
            elif position >= explanation.read_end:
                style.colour = GREY_TEXT
            self._flow(piece, style)
            position += len(piece)
        self.finish()

    def _flow(self, text: str, style: _Style) -> None:
        for index, part in enumerate(_SEPARATORS.split(text)):
            if index % 2 == 0:
                if part:
                    self._word(visible_text(part), style)
            elif "\n" in part:
                self.break_line()
            elif self._open:
                spaces = part.replace("\t", "    ")
                self._pending += self._space(style) * len(spaces)
                self._pending_text += spaces

    def _space(self, style: _Style) -> float:
        """The width of one space (measured between letters: a lone space may measure 0)."""
        spaced = self.measure("x x", style.size, style.bold, style.italic)
        return spaced - self.measure("xx", style.size, style.bold, style.italic)

    def _word(self, text: str, style: _Style, *, split: bool = True) -> None:
        pad = _PAD if style.shade else 0.0
        width = self.measure(text, style.size, style.bold, style.italic) + 2 * pad
        if self._open and self.x + self._pending + width > self.right:
            self.break_line()
        if split and width > self.right - self.left and len(text) > 1:
            # Chunks are measured per character; shaping can make one wider as a whole, so they are
            # placed as they are rather than split again (which could recurse forever).
            for chunk in self._chunks(text, style, self.right - self.left - 2 * pad):
                self._word(chunk, style, split=False)
            return
        spaces = self._pending_text
        self.x += self._pending
        self._pending, self._pending_text = 0.0, ""
        if not self._open:
            self._open, self._line_size = True, style.size
        baseline = self.y + 1.25 * self._line_size
        if style.shade and style.token:
            self._box(width, baseline, style)
            self._run = None
        elif self._run == (style, len(self.items) - 1):
            # Plain words of one style on one line become one text: an SVG's phrases stay searchable.
            last = self.items[-1]
            assert isinstance(last, Label)  # _run only ever points at a label
            self.items[-1] = replace(last, text=last.text + spaces + text)
            self.x += width
            return
        else:
            self._run = (style, len(self.items))
        self.items.append(Label(self.x + pad, baseline, text, style.size, style.colour, style.bold, style.italic))
        self.x += width

    def _box(self, width: float, baseline: float, style: _Style) -> None:
        assert style.shade is not None and style.token is not None  # only called for tokens
        part = self._parts.get(style.token, 0)
        self._parts[style.token] = part + 1
        top, height = baseline - _ASCENT * style.size, (_ASCENT + _DESCENT) * style.size
        self.items.append(Box(self.x, top, width, height, style.shade, OUTLINE, (*style.token, part)))

    def _chunks(self, text: str, style: _Style, room: float) -> list[str]:
        """`text` cut into pieces no wider than `room` (at least one character each).

        Sums single-character widths (ignoring kerning) so a very long word costs linear time.
        """
        chunks, current, used = [], "", 0.0
        for character in text:
            width = self.measure(character, style.size, style.bold, style.italic)
            if current and used + width > room:
                chunks.append(current)
                current, used = "", 0.0
            current += character
            used += width
        return [*chunks, current]

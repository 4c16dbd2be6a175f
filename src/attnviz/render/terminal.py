"""An explanation drawn in a terminal: each word's background shaded with ANSI SGR codes.

User text never reaches the terminal raw: control characters and bidi overrides are replaced by their
visible escape spelling, so a text cannot move the cursor, retitle the window or reorder the line.
"""

from __future__ import annotations

import os
import re
from typing import Literal, TextIO

from attnviz.explanation import Explanation
from attnviz.render.colors import RGB, Scale, is_signed, text_colour, token_colours, top_tokens

ColorMode = Literal["auto", "truecolor", "256", "none"]

# C0 controls but \t and \n, DEL, C1 controls, Arabic letter mark, LRM/RLM, bidi embeddings/overrides
# (U+202A-U+202E) and isolates (U+2066-U+2069). \r is here too: alone it returns the cursor and lets
# the rest of the line overwrite what came before.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

_RESET = "\x1b[0m"
_DIM = "\x1b[2m"
_NOT_READ = "[not read ->]"
# xterm-256: a 6x6x6 colour cube (indices 16-231) and a 24-step grey ramp (232-255).
_CUBE_LEVELS = (0, 95, 135, 175, 215, 255)


def _spell(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with every terminal control character replaced by its Python escape spelling (`\\x1b`)."""
    # A \r right before \n is inert (Windows line ends), so it goes rather than clutter every line.
    return CONTROL_CHARACTERS.sub(_spell, text.replace("\r\n", "\n"))


def resolve_color(color: ColorMode, stream: TextIO | None = None) -> ColorMode:
    """The colour mode "auto" stands for here: none under NO_COLOR, TERM=dumb or a non-tty stream."""
    if color != "auto":
        return color
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return "none"
    if stream is not None and not _isatty(stream):
        return "none"
    return "truecolor" if os.environ.get("COLORTERM") in ("truecolor", "24bit") else "256"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


def _nearest_256(rgb: RGB) -> tuple[int, RGB]:
    """The xterm-256 colour closest to `rgb` (squared RGB distance), as (index, its RGB)."""
    r, g, b = (_cube_step(c) for c in rgb)
    cube = (16 + 36 * r + 6 * g + b, (_CUBE_LEVELS[r], _CUBE_LEVELS[g], _CUBE_LEVELS[b]))
    grey_step = min(23, max(0, round((sum(rgb) / 3 - 8) / 10)))
    grey = 8 + 10 * grey_step
    ramp = (232 + grey_step, (grey, grey, grey))
    return min((cube, ramp), key=lambda item: sum((a - z) ** 2 for a, z in zip(item[1], rgb, strict=True)))


def _cube_step(channel: int) -> int:
    return min(range(6), key=lambda i: abs(_CUBE_LEVELS[i] - channel))


def _sgr(background: RGB, mode: ColorMode) -> str:
    """The escape sequence that shades one token: background plus the readable foreground for it."""
    if mode == "256":
        index, shown = _nearest_256(background)
        foreground = 16 if text_colour(shown) == (0, 0, 0) else 231  # fixed cube colours, not themeable 0/15
        return f"\x1b[48;5;{index}m\x1b[38;5;{foreground}m"
    fr, fg, fb = text_colour(background)
    r, g, b = background
    return f"\x1b[48;2;{r};{g};{b}m\x1b[38;2;{fr};{fg};{fb}m"


def _paint(text: str, codes: str) -> str:
    """`text` wrapped in `codes`, reset before every newline so no colour bleeds to the line's end."""
    return "\n".join(f"{codes}{line}{_RESET}" if line else line for line in text.split("\n"))


def _header(explanation: Explanation) -> str:
    probabilities = "  ".join(f"{escape_controls(name)} {p:.3f}" for name, p in explanation.probabilities.items())
    label = escape_controls(explanation.label)
    predicted = explanation.probabilities.get(explanation.label)
    shown = f"{label} ({predicted:.3f})" if predicted is not None else label
    return f"predicted: {shown}" + (f"  |  {probabilities}" if probabilities else "") + _method_note(explanation)


def _method_note(explanation: Explanation) -> str:
    if explanation.method == "attention":
        return ""
    palette = "; blue for the prediction, red against" if is_signed(explanation) else ""
    return f"  (weights by {escape_controls(explanation.method)}{palette})"


def _body(explanation: Explanation, mode: ColorMode, scale: Scale) -> str:
    colours = iter(token_colours(explanation, scale))
    parts: list[str] = []
    position = 0
    for text, token in explanation.segments():
        shown = escape_controls(text)
        if position >= explanation.read_end:  # the unread tail of a truncated text
            shown = f"{_NOT_READ}{shown}" if mode == "none" else _paint(shown, _DIM)
        elif token is not None:
            background = next(colours)
            shown = shown if mode == "none" else _paint(shown, _sgr(background, mode))
        parts.append(shown)
        position += len(text)
    return "".join(parts)


def describe_weights(explanation: Explanation, top: int = 5) -> str:
    """The `top` most attended words and their raw weights on one plain line, e.g. `top: good 0.41, ...`."""
    ranked = top_tokens(explanation, top)
    if not ranked:
        return "top: (no tokens)"
    return "top: " + ", ".join(f"{escape_controls(word)} {weight:.3f}" for word, weight in ranked)


def render_terminal(
    explanation: Explanation,
    *,
    color: ColorMode = "auto",
    scale: Scale = "max",
    stream: TextIO | None = None,
) -> str:
    """The explanation as terminal text: a header line, then the text with shaded words.

    Without colour (`color="none"`, or "auto" under NO_COLOR / a non-tty stream) the words are
    followed by `describe_weights`, so the weights are never lost. `stream` is only consulted for
    "auto" (is it a terminal?): rendering returns text and never prints.
    """
    mode = resolve_color(color, stream)
    lines = [_header(explanation), _body(explanation, mode, scale)]
    if explanation.truncated:
        lines.append(f"[truncated: the model read the first {len(explanation.tokens)} words]")
    if mode == "none":
        lines.append(describe_weights(explanation))
    return "\n".join(lines)

"""Explanations as LaTeX for papers: a standalone pdflatex document, or a fragment to paste into one.

Every token is a `\\colorbox` whose colours are `\\definecolor{...}{HTML}{RRGGBB}` values from the shared
colour model (`shade`, `text_colour`); the spaces between tokens stay outside the boxes so lines still
break between words. Every user string goes through `escape_latex`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from attnviz.explanation import Explanation
from attnviz.render._legend import (
    LEGEND_STEPS,
    SIGNED_STEPS,
    any_signed,
    legend_sentence,
    method_note,
    signed_sentence,
    uniform_note,
)
from attnviz.render.colors import RGB, Scale, normalise_weights, shade, shade_signed, text_colour, token_colours
from attnviz.render.html import check_view
from attnviz.render.terminal import CONTROL_CHARACTERS

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",  # in OT1 these print as other glyphs; T1 would make << and >> guillemets
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedbl{}",
    "'": r"\textquotesingle{}",  # T1 would curl it and join '' into a closing double quote
    "`": r"\`{}",  # the T1 grave accent alone; \textasciigrave would need a bitmap TS1 font with Times
    "[": "{[}",  # braced so a [ after a command is never read as its optional argument
    "]": "{]}",
    "\t": " ",
    "\n": " ",  # only reaches here inside a token; gaps turn newlines into line breaks first
}
# Latin Extended-A characters that T1 + utf8 inputenc cannot typeset (checked with TeX Live 2022).
_LATIN_EXTENDED_A_GAPS = frozenset({0x126, 0x127, 0x138, 0x13F, 0x140, 0x149, 0x166, 0x167})
_PUNCTUATION = frozenset({0x2013, 0x2014, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2020, 0x2021})
_PUNCTUATION |= {0x2022, 0x2026, 0x2030, 0x2039, 0x203A, 0x20AC, 0x2122}
_LIGATURE_PAIR = re.compile(r"(?<=[-,])(?=[-,])")  # -- and ,, are ligatures in T1: keep them two glyphs
_GAP_PARTS = re.compile(r"(\r\n|\n|[^\S\r\n\x0b\x0c\x1c-\x1f\x85]+)")
_GREY = "6E7781"
_MARKERS_PER_LINE = 16

_MACROS = r"""\providecommand*\attnviztok[2]{\begingroup\setlength{\fboxsep}{1pt}%
\colorbox{attnvizbg#1}{\textcolor{attnvizfg#1}{\vphantom{Ag}#2}}\endgroup}
\providecommand*\attnvizmark[1]{\textsf{\scriptsize[#1]}}
\providecommand*\attnvizswatch[3]{\begingroup\setlength{\fboxsep}{1pt}%
\colorbox{#1bg#2}{\textcolor{#1fg#2}{\makebox[2.5em]{\vphantom{Ag}#3}}}\endgroup}
"""


def _typesettable(code: int) -> bool:
    """Whether pdflatex with T1 fonts and utf8 input can print this code point."""
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return True
    if 0x100 <= code <= 0x17E:
        return code not in _LATIN_EXTENDED_A_GAPS
    return code in _PUNCTUATION


def _escape_character(character: str) -> str:
    if character in _SPECIALS:
        return _SPECIALS[character]
    code = ord(character)
    if CONTROL_CHARACTERS.fullmatch(character) or not _typesettable(code):
        return rf"\attnvizmark{{U+{code:04X}}}"
    return character


def escape_latex(text: str) -> str:
    """`text` as LaTeX source that prints it literally: specials escaped, ligatures broken, and control
    characters or characters pdflatex cannot typeset (CJK, emoji, most scripts beyond Latin) shown as a
    visible `[U+XXXX]` marker (needs the `\\attnvizmark` macro, which `latex_fragment` provides).

    After every `_MARKERS_PER_LINE` markers the source line ends in a comment (`%`, which adds no space):
    TeX cannot read a source line over about 200,000 characters, and a long text in a script pdflatex
    lacks would otherwise become one.
    """
    pieces, markers = [], 0
    for character in text:
        piece = _escape_character(character)
        pieces.append(piece)
        if piece.startswith(r"\attnvizmark"):
            markers += 1
            if markers % _MARKERS_PER_LINE == 0:
                pieces.append("%\n")
    return _LIGATURE_PAIR.sub("{}", "".join(pieces))


def _gap(text: str) -> str:
    """A stretch between tokens: spaces become one breakable space, newlines become line breaks."""
    source = ""
    for index, part in enumerate(_GAP_PARTS.split(text)):
        if index % 2 == 0:  # text between separators (a lone \r included: it is shown as a marker)
            source += escape_latex(part)
        elif part in ("\n", "\r\n"):
            source += "\\mbox{}\\newline\n"  # \mbox: a line to end even at a paragraph's start
        else:
            # One end of line in the source is one space (and keeps source lines short); two in a row
            # would be an empty line, which LaTeX reads as a paragraph break.
            source += " " if source.endswith("\n") else "\n"
    return source


def _hex(rgb: RGB) -> str:
    return "{:02X}{:02X}{:02X}".format(*rgb)


def _define(prefix: str, name: str, background: RGB) -> str:
    """A background and the text colour readable on it, as `<prefix>bg<name>` and `<prefix>fg<name>`."""
    return (
        rf"\definecolor{{{prefix}bg{name}}}{{HTML}}{{{_hex(background)}}}"
        rf"\definecolor{{{prefix}fg{name}}}{{HTML}}{{{_hex(text_colour(background))}}}"
    )


def _header(explanation: Explanation, scale: Scale) -> str:
    predicted = explanation.probabilities.get(explanation.label)
    shown = escape_latex(explanation.label) + ("" if predicted is None else f" ({predicted:.3f})")
    others = r"\quad ".join(f"{escape_latex(name)} {p:.3f}" for name, p in explanation.probabilities.items())
    notes = (others, uniform_note(explanation, scale), escape_latex(method_note(explanation)))
    details = r"\quad ".join(note for note in notes if note)
    return rf"\noindent\textbf{{Predicted:}} {shown}\hfill{{\small {details}}}\par"


def _colour_lines(example: int, explanation: Explanation, colours: list[RGB]) -> list[str]:
    """One line per token, in token order: its two colours and (in the comment) its raw weight."""
    pairs = enumerate(zip(colours, explanation.tokens, strict=True))
    return [f"{_define('attnviz', f'{example}-{i}', rgb)}% weight {token.weight!r}" for i, (rgb, token) in pairs]


def _text(example: int, explanation: Explanation) -> str:
    body: list[str] = []
    tail: list[str] = []
    index = 0
    position = 0
    for text, token in explanation.segments():
        target = body if position < explanation.read_end else tail
        if token is None:
            target.append(_gap(text))
        else:
            target.append(rf"\attnviztok{{{example}-{index}}}{{{escape_latex(text)}}}")
            index += 1
        position += len(text)
    grey = rf"{{\color{{attnvizgrey}}{''.join(tail)}}}" if tail else ""
    return r"{\linespread{1.3}\selectfont\noindent " + "".join(body) + grey + "\\par}"


def _block(example: int, explanation: Explanation, scale: Scale, view: str | None) -> str:
    check_view(explanation, view)
    colours = token_colours(explanation, scale, view=view)
    lines = [r"\par\medskip", _header(explanation, scale), *_colour_lines(example, explanation, colours)]
    lines.append(_text(example, explanation) if explanation.text else r"\noindent\textit{(empty text)}\par")
    if explanation.truncated:
        count = len(explanation.tokens)
        lines.append(
            rf"\noindent{{\small\itshape Truncated: the model read the first {count} words; the grey rest "
            r"was not read.}\par"
        )
    return "\n".join(lines)


def _legend(scale: Scale, view: str | None, explanations: Sequence[Explanation]) -> str:
    lines = _swatches("Attention", "attnvizlegend", LEGEND_STEPS, shade)
    shading = "" if view is None else rf" Shading: attention for class {escape_latex(view)}."
    lines.append(rf"\noindent{{\small {escape_latex(legend_sentence(scale))}{shading}}}\par")
    if any_signed(explanations, view):
        lines += _swatches("Signed", "attnvizsigned", SIGNED_STEPS, shade_signed)
        lines.append(rf"\noindent{{\small {escape_latex(signed_sentence())}}}\par")
    return "\n".join(lines)


def _swatches(title: str, prefix: str, steps: Sequence[float], colour: Callable[[float], RGB]) -> list[str]:
    """A row of labelled colour swatches, one per step, after a bold title (colours named `<prefix>bg<i>`)."""
    lines = [f"{_define(prefix, str(i), colour(value))}%" for i, value in enumerate(steps)]
    swatches = " ".join(rf"\attnvizswatch{{{prefix}}}{{{i}}}{{{value:g}}}" for i, value in enumerate(steps))
    lines.append(rf"\noindent\textbf{{{title}}}\quad {swatches}\par")
    return lines


def latex_fragment(explanations: Sequence[Explanation], *, scale: Scale = "max", view: str | None = None) -> str:
    """The body of `render_latex` without preamble, to paste into a paper after `\\begin{document}`.

    The paper needs `\\usepackage{xcolor}` (and should use `\\usepackage[T1]{fontenc}`); the fragment
    defines its own colours and `\\providecommand`s its three macros.
    """
    normalise_weights([], scale)  # rejects a bad scale before any work
    parts = [_MACROS.strip(), rf"\definecolor{{attnvizgrey}}{{HTML}}{{{_GREY}}}", _legend(scale, view, explanations)]
    parts += [_block(i, explanation, scale, view) for i, explanation in enumerate(explanations)]
    if not explanations:
        parts.append(r"\par\medskip\noindent\textit{No explanations.}\par")
    return "\n".join(parts) + "\n"


def render_latex(
    explanations: Sequence[Explanation],
    *,
    scale: Scale = "max",
    view: str | None = None,
    title: str = "attnviz explanations",
) -> str:
    """A standalone document (article class, T1 fonts, utf8 input, xcolor) that compiles with pdflatex.

    Each token sits in a box shaded like the HTML, terminal and image outputs; the unread tail of a
    truncated text is grey, and a legend names the scale. Limitation: pdflatex with T1 fonts prints only
    Latin-1 and most of Latin Extended-A plus common punctuation, so every other character (CJK, emoji,
    Greek, Cyrillic, ...) and every control character is shown as a visible `[U+XXXX]` marker, which keeps
    the document compiling; use the HTML or SVG output to see such texts as written.
    """
    return "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage[T1]{fontenc}",
            r"\usepackage[utf8]{inputenc}",
            r"\usepackage{mathptmx}",  # scalable Times and Helvetica (PSNFSS): no bitmap EC fonts needed
            r"\usepackage[scaled=0.92]{helvet}",
            r"\usepackage[margin=2cm]{geometry}",
            r"\usepackage{xcolor}",
            _MACROS.strip(),  # before the title, which may hold [U+XXXX] markers too
            r"\begin{document}",
            r"\sloppy\frenchspacing",  # long tokens may not fit a line; sentence ends keep the text's spacing
            rf"\section*{{{escape_latex(title)}}}",
            latex_fragment(explanations, scale=scale, view=view).rstrip("\n"),
            r"\end{document}",
            "",
        ]
    )

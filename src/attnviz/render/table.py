"""Explanations as a token table (CSV) for spreadsheets and data frames: one row per token.

Colours come from the same model as every other format (`shading_values` -> `colours_of` -> `hex_colour`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from attnviz.explanation import Explanation
from attnviz.render.colors import Scale, colours_of, hex_colour, is_signed, normalise_weights, shading_values

COLUMNS = ("example", "token_index", "token", "start", "end", "weight", "shade", "colour")
# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defuse(cell: str) -> str:
    """`cell` with a leading `'` when a spreadsheet would read it as a formula (OWASP's CSV injection advice)."""
    return f"'{cell}" if cell.startswith(_FORMULA_STARTS) else cell


def _number(value: float) -> str:
    """The shortest text that reads back as exactly `value` (Python's repr), as JSON output stores it."""
    return repr(float(value))


def _classes(explanations: Sequence[Explanation]) -> list[str]:
    """Every class in the explanations' probabilities, in order of first appearance."""
    return list(dict.fromkeys(name for explanation in explanations for name in explanation.probabilities))


def _rows(example: int, explanation: Explanation, classes: list[str], scale: Scale) -> list[list[str]]:
    values = shading_values(explanation, scale)
    colours = colours_of(values, is_signed(explanation))
    rows = []
    for index, (token, value, colour) in enumerate(zip(explanation.tokens, values, colours, strict=True)):
        per_class = [_number(token.class_weights[c]) if c in token.class_weights else "" for c in classes]
        fixed = [str(example), str(index), _defuse(token.text), str(token.start), str(token.end)]
        rows.append([*fixed, _number(token.weight), _number(value), hex_colour(colour), *per_class])
    return rows


def render_token_csv(explanations: Sequence[Explanation], *, scale: Scale = "max") -> str:
    """One CSV row per token: `example, token_index, token, start, end, weight, shade, colour`, then
    `weight_<class>` for every class found in the explanations' probabilities (in order).

    `weight` is the method's weight of the token and `shade` its value on `scale` (0 to 1; -1 to 1 for a
    signed method's scores, by the largest absolute one); `colour` is the `#rrggbb` background every other
    format draws for it. A class weight the method did not give
    is an empty cell. Numbers are written as Python's repr, so they read back exactly as `to_dict` stores
    them. Rows end in CRLF (RFC 4180); write the text with `newline=""`.

    Spreadsheet formula injection: a token starting with `=`, `+`, `-`, `@`, a tab or a
    carriage return gets a leading `'`, so a spreadsheet shows it as text instead of running it; the
    `start`/`end` offsets still refer to the original text. Class names sit behind `weight_`, so they
    cannot start a formula.
    """
    return "".join(iter_token_csv(explanations, _classes(explanations), scale=scale))


def iter_token_csv(
    explanations: Iterable[Explanation], classes: Sequence[str], *, scale: Scale = "max"
) -> Iterator[str]:
    """`render_token_csv` piece by piece (the header, then each explanation's rows) with the `weight_<class>`
    columns given up front, so that a file of any length can be written without holding it."""
    normalise_weights([], scale)  # rejects a bad scale before any work
    classes = list(classes)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*COLUMNS, *(f"weight_{name}" for name in classes)])
    for example, explanation in enumerate(explanations):
        writer.writerows(_rows(example, explanation, classes, scale))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()  # the header alone when there were no explanations

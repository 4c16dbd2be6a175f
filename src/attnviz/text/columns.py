"""Picking the text and label columns of a table, and taking the texts and labels out of it.

A column the caller names (or numbers) is looked up; otherwise the text column is the one with a usual
text name, else the one with the longest texts, and the label column the one with a usual label name,
else (only when labels are required) the remaining column with the fewest distinct values.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from attnviz.errors import DataError
from attnviz.text.formats import LABEL_NAMES, MISSING, TEXT_NAMES, BadRows, Table, usual_name

logger = logging.getLogger(__name__)

# Past this many, a message lists the first names only: Parquet files can have thousands of columns.
_LISTED_COLUMNS = 20


def text_value(value: object) -> str | None:
    """The text a cell holds; None for null, a missing key or a nested value. "NA", "0", "" stay texts."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return None


def label_value(value: object) -> str | None:
    """The label a cell holds, as a string; None when it is empty, null, NaN or nested."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        # Tables with a missing label store the others as floats: 1.0 is the class "1".
        return str(int(value)) if value.is_integer() else str(value)
    return None


def _why_absent(what: str, column: str, value: object) -> str:
    if value is MISSING:
        return f"it has no {column!r} key"
    if value is None:
        return f"the {what} is null"
    if isinstance(value, str):
        return f"the {what} is empty"
    if isinstance(value, float):
        return f"the {what} is NaN"
    return f"the {what} is a {type(value).__name__}, not a string"


def _list_columns(table: Table) -> str:
    names = table.columns[:_LISTED_COLUMNS]
    more = len(table.columns) - len(names)
    return ", ".join(names) + (f" and {more} more" if more else "")


def _describe_columns(table: Table) -> str:
    count = len(table.columns)
    if table.has_header:
        return f"its columns are: {_list_columns(table)}"
    return f"it has no header and {count} column{'s' if count != 1 else ''}, numbered from 0"


def _display(table: Table, index: int) -> str:
    return repr(table.columns[index]) if table.has_header else f"number {index}"


def _find_name(columns: Sequence[str], name: str) -> int | None:
    if name in columns:
        return columns.index(name)
    folded = [index for index, column in enumerate(columns) if column.casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None


def _missing_name(table: Table, name: str, source: str) -> str:
    if not table.header_doubtful:
        return f"{source} has no column {name!r}; its columns are: {_list_columns(table)}."
    return (
        f"{source} has no column {name!r}; its columns are: {_list_columns(table)}, but that first row looks "
        f"like data, so if the file has no header give column numbers from 0 to {len(table.columns) - 1}."
    )


def resolve_column(table: Table, column: str | int, source: str) -> int:
    """The index of a column given by name or number (a string of digits that is no name is a number)."""
    if isinstance(column, str):
        found = _find_name(table.columns, column) if table.has_header else None
        if found is not None:
            return found
        if not (column.strip().isascii() and column.strip().isdigit()):
            raise DataError(_missing_name(table, column, source))
        column = int(column)
    count = len(table.columns)
    if 0 <= column < count:
        return column
    raise DataError(
        f"{source} has no column {column}; it has {count} column{'s' if count != 1 else ''}, "
        f"numbered from 0 to {count - 1}."
    )


def _mean_length(values: Sequence[object]) -> float:
    return sum(len(value) for value in values if isinstance(value, str)) / max(len(values), 1)


def _detect_text(table: Table, label: int | None, source: str) -> int:
    candidates = [index for index in range(len(table.columns)) if index != label]
    if not candidates:
        raise DataError(f"{source} has only the label column; it needs a column of texts too.")
    if table.has_header:
        for index in candidates:
            if usual_name(table.columns[index]) in TEXT_NAMES:
                return index
    return max(candidates, key=lambda index: _mean_length(table.values(index)))


def _detect_label(table: Table, text: int, *, guess: bool) -> int | None:
    candidates = [index for index in range(len(table.columns)) if index != text]
    if table.has_header:
        for index in candidates:
            if usual_name(table.columns[index]) in LABEL_NAMES:
                return index
    if not guess or not candidates:
        return None
    return min(candidates, key=lambda index: len({label_value(value) for value in table.values(index)}))


def choose_columns(
    table: Table,
    text_column: str | int | None,
    label_column: str | int | None,
    source: str,
    *,
    require_labels: bool,
) -> tuple[int, int | None]:
    """The text column's index and the label column's (None when there is none and none is required)."""
    label = None if label_column is None else resolve_column(table, label_column, source)
    text = _detect_text(table, label, source) if text_column is None else resolve_column(table, text_column, source)
    if label is None:
        label = _detect_label(table, text, guess=require_labels)
    if label == text:
        raise DataError(
            f"{source}: the text and the label are both column {_display(table, text)}; "
            "pick two different columns with --text-column and --label-column."
        )
    if label is None and require_labels:
        raise DataError(
            f"{source} has no label column that attnviz can find ({_describe_columns(table)}); "
            "name it with --label-column."
        )
    logger.info(
        "%s: texts from column %s, labels from %s",
        source,
        _display(table, text),
        "no column" if label is None else f"column {_display(table, label)}",
    )
    return text, label


def extract(table: Table, text: int, label: int | None, bad: BadRows) -> tuple[list[str], list[str] | None]:
    """The texts and labels of the good records; a record without a text or a label is a bad row."""
    text_values = table.values(text)
    label_values = None if label is None else table.values(label)
    label_name = "" if label is None else table.columns[label]
    texts: list[str] = []
    labels: list[str] = []
    for record, value in enumerate(text_values):
        as_text = text_value(value)
        if as_text is None:
            bad.report(table.where(record), _why_absent("text", table.columns[text], value))
            continue
        if label_values is not None:
            as_label = label_value(label_values[record])
            if as_label is None:
                bad.report(table.where(record), _why_absent("label", label_name, label_values[record]))
                continue
            labels.append(as_label)
        texts.append(as_text)
    return texts, None if label_values is None else labels

"""Parsers for the table formats: CSV, TSV, JSON lines and Parquet each become a `Table`.

`attnviz.text.columns` then picks the table's text and label columns. Every parser reports a bad row to
a `BadRows`, which applies the caller's policy (raise, or count and go on).
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from attnviz.errors import DataError

logger = logging.getLogger(__name__)

TEXT_NAMES: Final = frozenset(
    {"text", "sentence", "review", "content", "document", "body", "comment", "tweet", "description"}
)
LABEL_NAMES: Final = frozenset({"label", "labels", "class", "category", "target", "sentiment", "y", "label_name"})
# The C parser stores the limit in a C long, which is 32 bits on Windows.
_FIELD_LIMIT: Final = min(sys.maxsize, 2**31 - 1)
# Enough rows to see whether a first-row value comes back below it, without scanning a huge file.
_HEADER_SAMPLE: Final = 1000


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


# A JSON record without the key: unlike None (JSON null), the message must name the key.
MISSING: Final = _Missing()


def usual_name(name: str) -> str:
    """The form of a column name compared with TEXT_NAMES and LABEL_NAMES."""
    return name.strip().lower()


class BadRows:
    """Applies the bad-rows policy: raise on the first bad row, or count it and go on."""

    def __init__(self, source: str, policy: str) -> None:
        self.source = source
        self.policy = policy
        self.skipped = 0
        self._first = ""

    def report(self, where: str, reason: str) -> None:
        if self.policy == "error":
            raise DataError(f"{self.source}, {where}: {reason}; fix the row or pass --bad-rows skip to skip such rows.")
        self.skipped += 1
        if not self._first:
            self._first = f"{where}: {reason}"

    def log_summary(self) -> None:
        if self.skipped:
            logger.warning("%s: skipped %d bad row(s); the first was %s", self.source, self.skipped, self._first)


@dataclass
class Table:
    """Records with named (or, without a header, numbered) columns, loaded a column at a time."""

    columns: list[str]
    has_header: bool
    unit: str  # how messages name a record: "line" in text files, "row" in Parquet, "item" in a JSON array
    numbers: Sequence[int]  # each record's 1-based line (row, item) number, for messages
    load: Callable[[int], Sequence[object]]
    # The caller named a column, so the first row was taken as a header although it does not look like one.
    header_doubtful: bool = False
    _cache: dict[int, Sequence[object]] = field(default_factory=dict, repr=False)

    def values(self, index: int) -> Sequence[object]:
        if index not in self._cache:
            self._cache[index] = self.load(index)
        return self._cache[index]

    def where(self, record: int) -> str:
        return f"{self.unit} {self.numbers[record]}"


def decode(data: bytes, encoding: str, source: str, first_line: int = 1) -> str:
    """The text of `data`, without a byte-order mark; undecodable bytes are reported with their line
    (`first_line` is the number of `data`'s first line, for a block from the middle of a file)."""
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + first_line
        raise DataError(
            f"{source}, line {line}: the bytes are not valid {encoding}; pass --encoding with the file's "
            "encoding (for example --encoding latin-1)."
        ) from err
    return text.removeprefix("\ufeff")


def _physical_lines(text: str) -> Iterator[str]:
    # Split on "\n" alone: U+2028 and U+0085 occur inside real texts and must not end a row.
    lines = text.split("\n")
    for line in lines[:-1]:
        yield line + "\n"
    if lines[-1]:
        yield lines[-1]


def _csv_records(text: str, delimiter: str, bad: BadRows, *, quotes: bool, strict: bool) -> list[tuple[int, list[str]]]:
    """Non-blank rows with the line each starts on; with `strict`, a quoting error raises csv.Error.

    Without `quotes`, a quote is a plain character rather than CSV quoting.
    """
    csv.field_size_limit(_FIELD_LIMIT)
    quoting: Literal[0, 3] = csv.QUOTE_MINIMAL if quotes else csv.QUOTE_NONE
    reader = csv.reader(_physical_lines(text), delimiter=delimiter, quoting=quoting, strict=strict)
    records: list[tuple[int, list[str]]] = []
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return records
        except csv.Error as err:
            if strict:
                raise
            bad.report(f"line {start}", _csv_problem(err))
        else:
            if len(cells) > 1 or "".join(cells).strip():
                records.append((start, cells))
        start = reader.line_num + 1


def _csv_problem(err: csv.Error) -> str:
    if "new-line character" in str(err):
        # The csv module's own message suggests opening the file differently, which the user cannot do.
        return "a field holds a carriage return (\\r) but is not quoted"
    return f"the row cannot be split into fields ({err})"


def is_number(value: str | bytes) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _looks_like_data(cell: str) -> bool:
    """Whether a first-row cell reads like a value rather than a column name such as `Review Text`."""
    value = cell.strip()
    if not value or len(value) > 40 or is_number(value):
        return True
    words = value.split()
    return len(words) > 1 and not all(word[0].isupper() or word[0].isdigit() for word in words)


def first_row_is_header(rows: Sequence[Sequence[str]]) -> bool:
    first = rows[0]
    if any(usual_name(cell) in TEXT_NAMES | LABEL_NAMES for cell in first):
        return True
    if any(_looks_like_data(cell) for cell in first):
        return False
    # A column name hardly ever comes back as a value below it; a label or a one-word text often does.
    later = rows[1:_HEADER_SAMPLE]
    return not any(any(i < len(row) and row[i] == cell for row in later) for i, cell in enumerate(first))


def _delimited_records(text: str, delimiter: str, bad: BadRows) -> list[tuple[int, list[str]]]:
    if delimiter != "\t":
        return _csv_records(text, delimiter, bad, quotes=True, strict=False)
    try:
        return _csv_records(text, delimiter, bad, quotes=True, strict=True)
    except csv.Error:
        # Raw TSV files (SST-2 and the like) hold texts that begin with a quote which is not CSV quoting.
        logger.debug("TSV quoting does not parse; reading every quote as a plain character")
        return _csv_records(text, delimiter, bad, quotes=False, strict=False)


def parse_delimited(text: str, delimiter: str, source: str, bad: BadRows, *, names_given: bool) -> Table:
    """A CSV or TSV table; `names_given` (a column named by the caller) makes the first row the header."""
    records = _delimited_records(text, delimiter, bad)
    if not records:
        return Table([], False, "line", [], lambda index: [])
    detected = first_row_is_header([cells for _, cells in records])
    if names_given or detected:
        columns = [cell.strip() for cell in records[0][1]]
        body = records[1:]
        if not body:
            raise DataError(f"{source} has a header row but no data rows; add one row per text below it.")
    else:
        body = records
        width = Counter(len(cells) for _, cells in body).most_common(1)[0][0]
        columns = [str(index) for index in range(width)]
    rows: list[tuple[int, list[str]]] = []
    for line, cells in body:
        if len(cells) == len(columns):
            rows.append((line, cells))
        else:
            bad.report(f"line {line}", f"expected {len(columns)} fields, found {len(cells)}")
    return Table(
        columns,
        has_header=names_given or detected,
        unit="line",
        numbers=[line for line, _ in rows],
        load=lambda index: [cells[index] for _, cells in rows],
        header_doubtful=names_given and not detected,
    )


def _json_kind(value: object) -> str:
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")


def _object_table(objects: list[dict[str, object]], numbers: list[int], unit: str) -> Table:
    columns = list(dict.fromkeys(key for obj in objects for key in obj))
    return Table(
        columns,
        has_header=True,
        unit=unit,
        numbers=numbers,
        load=lambda index: [obj.get(columns[index], MISSING) for obj in objects],
    )


def _json_array(text: str, bad: BadRows) -> Table | None:
    """The table of a JSON file holding one array of objects, or None when `text` is not one."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(items, list):
        return None
    objects: list[dict[str, object]] = []
    numbers: list[int] = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict):
            objects.append(item)
            numbers.append(number)
        else:
            bad.report(f"item {number}", f"it is a JSON {_json_kind(item)}, not an object")
    return _object_table(objects, numbers, "item")


def parse_jsonl(text: str, bad: BadRows, first_line: int = 1) -> Table:
    """JSON lines, one object a line (blank lines ignored); a `.json` file holding one array works too.
    `first_line` numbers the lines of a block from the middle of a file."""
    if first_line == 1 and text.lstrip().startswith("["):
        array = _json_array(text, bad)
        if array is not None:
            return array
    objects: list[dict[str, object]] = []
    numbers: list[int] = []
    for number, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            bad.report(f"line {number}", f"the line is not valid JSON ({err.msg} at column {err.colno})")
            continue
        if isinstance(value, dict):
            objects.append(value)
            numbers.append(number)
        else:
            bad.report(f"line {number}", f"the line holds a JSON {_json_kind(value)}, not an object")
    return _object_table(objects, numbers, "line")


def parse_parquet(data: bytes, source: str) -> Table:
    # Imported here: only Parquet needs pyarrow, and importing it costs a noticeable fraction of a second.
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowException, OSError) as err:
        raise DataError(
            f"{source} is not a readable Parquet file ({err}); check the file, "
            "or pass --input-format with its real format."
        ) from err
    return Table(
        [str(name) for name in table.column_names],
        has_header=True,
        unit="row",
        numbers=range(1, table.num_rows + 1),
        load=lambda index: table.column(index).to_pylist(),
    )

"""Read a text data set from CSV, TSV, JSON lines, Parquet, label-text lines, a class folder or stdin.

`read_dataset` picks the format from the file's extension (after a `.gz`, which is read through gzip),
or from the content on standard input, and returns the texts with their labels. Texts are never
turned into missing values: "NA", "null", "0" and "" are texts like any other.
"""

from __future__ import annotations

import codecs
import gzip
import logging
import os
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final, Literal, TextIO, cast

from attnviz.errors import DataError
from attnviz.text.columns import choose_columns, extract
from attnviz.text.formats import (
    BadRows,
    Table,
    decode,
    parse_delimited,
    parse_jsonl,
    parse_parquet,
)
from attnviz.text.textfiles import parse_lines, read_folder

__all__ = ["FORMATS", "TextDataset", "read_dataset"]

logger = logging.getLogger(__name__)

FORMATS: Final[tuple[str, ...]] = ("csv", "tsv", "jsonl", "parquet", "lines", "folder")

_EXTENSIONS: Final = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_GZIP_MAGIC: Final = b"\x1f\x8b"
_STDIN: Final = "<stdin>"


@dataclass(frozen=True)
class TextDataset:
    """Texts and their labels, in the order of the source."""

    texts: list[str]
    labels: list[str] | None  # None when the source has no labels; labels are always strings ("0", "pos")
    source: str  # the path as given, or "<stdin>"
    skipped: int = 0  # bad rows skipped under bad_rows="skip"


@dataclass(frozen=True)
class _Options:
    text_column: str | int | None
    label_column: str | int | None
    encoding: str
    require_labels: bool

    def names_a_column(self) -> bool:
        """Whether a column is given by a name (which needs a header), not by a number."""
        return any(
            isinstance(column, str) and not (column.strip().isascii() and column.strip().isdigit())
            for column in (self.text_column, self.label_column)
        )


def read_dataset(
    path: str | os.PathLike[str],
    *,
    text_column: str | int | None = None,
    label_column: str | int | None = None,
    encoding: str = "utf-8",
    bad_rows: Literal["error", "skip"] = "error",
    require_labels: bool = True,
    format: str | None = None,  # shadows the builtin: the CLI's --input-format maps to it
    stdin: TextIO | None = None,
) -> TextDataset:
    """Read texts (and labels) from `path`, or from `stdin` (default sys.stdin) when `path` is "-".

    `format` (one of FORMATS) overrides the detection. Columns are given by header name or by number
    from 0; left out, they are detected. Rows that cannot be used raise DataError, or with
    `bad_rows="skip"` are skipped and counted in `skipped`. With `require_labels=False` a source
    without labels gives `labels=None`.
    """
    chosen = check_settings(encoding, bad_rows, format)
    name = os.fspath(path)
    if not name:
        raise DataError("the data path is empty; give a file, a folder, or - for standard input.")
    source = _STDIN if name == "-" else name
    bad = BadRows(source, bad_rows)
    options = _Options(text_column, label_column, encoding, require_labels)
    if name == "-":
        texts, labels = _read_stdin(stdin if stdin is not None else sys.stdin, chosen, options, bad)
    else:
        texts, labels = _read_path(Path(name), source, chosen, options, bad)
    if not texts:
        raise no_rows_error(source, bad.skipped)
    bad.log_summary()
    return TextDataset(texts, labels, source, bad.skipped)


def no_rows_error(source: str, skipped: int) -> DataError:
    if skipped:
        return DataError(
            f"{source} has no usable rows: all {skipped} were bad and skipped; "
            "fix the rows or check --input-format and the column options."
        )
    return DataError(f"{source} has no rows; give it at least one text.")


def check_settings(encoding: str, bad_rows: str, format: str | None) -> str | None:
    """The format, normalised; raises on an unknown format, encoding or bad-rows policy."""
    if bad_rows not in ("error", "skip"):
        raise DataError(f"unknown bad-rows policy {bad_rows!r}; use 'error' or 'skip'.")
    try:
        codecs.lookup(encoding)
    except LookupError as err:
        raise DataError(
            f"unknown encoding {encoding!r}; pass an encoding Python knows, for example --encoding latin-1."
        ) from err
    if format is None:
        return None
    normal = format.strip().lower()
    if normal not in FORMATS:
        raise DataError(f"unknown format {format!r}; use one of: {', '.join(FORMATS)}.")
    return normal


def format_of(name: str) -> str:
    stem = name.lower().removesuffix(".gz")
    return _EXTENSIONS.get(Path(stem).suffix, "lines")


def _read_path(
    location: Path, source: str, chosen: str | None, options: _Options, bad: BadRows
) -> tuple[list[str], list[str] | None]:
    if not location.exists():
        raise DataError(f"{source} does not exist; check the path.")
    if location.is_dir():
        if chosen not in (None, "folder"):
            raise DataError(f"{source} is a folder, not a {chosen} file; give a file, or drop --input-format.")
        _refuse_columns(options, source, "a folder of class sub-folders")
        return read_folder(location, source, options.encoding, require_labels=options.require_labels)
    if chosen == "folder":
        raise DataError(
            f"{source} is a file, not a folder; give a folder, or pass --input-format with the file's format."
        )
    try:
        data = location.read_bytes()
    except OSError as err:
        raise DataError(f"{source} cannot be read ({err.strerror or err}); check its permissions.") from err
    return _parse(data, source, chosen or format_of(location.name), options, bad)


def _read_stdin(
    stream: TextIO, chosen: str | None, options: _Options, bad: BadRows
) -> tuple[list[str], list[str] | None]:
    if chosen == "folder":
        raise DataError("standard input cannot be a folder; give the folder's path instead of -.")
    # The bytes, when the stream has them, so that --encoding applies rather than the locale's.
    binary = getattr(stream, "buffer", None)
    raw = binary.read() if binary is not None else None
    if isinstance(raw, bytes):
        return _parse(raw, _STDIN, chosen, options, bad)
    try:
        return _parse(stream.read(), _STDIN, chosen, options, bad)
    except UnicodeDecodeError as err:
        raise DataError(
            f"{_STDIN}: the bytes are not valid {stream.encoding}; pass --encoding with the input's encoding "
            "(for example --encoding latin-1)."
        ) from err


def open_bytes(location: Path) -> BinaryIO:
    """The file's bytes, decompressed when it starts with gzip's magic bytes (whatever its name)."""
    with open(location, "rb") as probe:
        compressed = probe.read(2) == _GZIP_MAGIC
    return cast(BinaryIO, gzip.open(location, "rb")) if compressed else open(location, "rb")


def _gunzip(data: bytes, source: str) -> bytes:
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(
            f"{source} is not a valid gzip file ({err}); check that it was copied whole, or decompress it first."
        ) from err


def _sniff(text: str) -> str:
    """The format of content without a name: JSON lines, TSV, or lines."""
    if text.lstrip().startswith("{"):
        return "jsonl"
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    return "tsv" if "\t" in first_line else "lines"


def _parse(
    content: bytes | str, source: str, chosen: str | None, options: _Options, bad: BadRows
) -> tuple[list[str], list[str] | None]:
    """Texts and labels from a file's (or stdin's) content; `chosen` None means sniff the content."""
    if isinstance(content, bytes):
        content = _gunzip(content, source)
    if chosen == "parquet":
        if isinstance(content, str):
            raise DataError(f"{source} is text, not Parquet; give the Parquet file's path instead of -.")
        if not content:
            raise DataError(f"{source} is empty; give it at least one text.")
        return _from_table(parse_parquet(content, source), source, options, bad)
    text = decode(content, options.encoding, source) if isinstance(content, bytes) else content.removeprefix("\ufeff")
    if not text.strip():
        raise DataError(f"{source} is empty; give it at least one text.")
    kind = chosen or _sniff(text)
    if kind == "lines":
        _refuse_columns(options, source, "label-text lines")
        return parse_lines(text, bad, require_labels=options.require_labels)
    if kind == "jsonl":
        table = parse_jsonl(text, bad)
    else:
        delimiter = "," if kind == "csv" else "\t"
        table = parse_delimited(text, delimiter, source, bad, names_given=options.names_a_column())
    return _from_table(table, source, options, bad)


def _from_table(table: Table, source: str, options: _Options, bad: BadRows) -> tuple[list[str], list[str] | None]:
    if not table.numbers:
        # Every record was bad and skipped (or, for Parquet, there are none): read_dataset says which.
        return [], None
    text, label = choose_columns(
        table, options.text_column, options.label_column, source, require_labels=options.require_labels
    )
    return extract(table, text, label, bad)


def _refuse_columns(options: _Options, source: str, what: str) -> None:
    if options.text_column is not None or options.label_column is not None:
        raise DataError(
            f"{source} is read as {what}, which have no columns; drop --text-column and --label-column, "
            "or pass --input-format with the file's format."
        )

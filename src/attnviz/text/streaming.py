"""The texts of a file read as they are needed: explaining a JSON Lines file of any size in flat memory.

A JSON Lines file (also gzipped) is read a block of lines at a time through the same parser and column
rules as `read_dataset`; the text column is chosen on the first block and kept. Other inputs are read
whole by `read_dataset`: a CSV field may span lines, a JSON array is one value, and Parquet, folders and
standard input come whole anyway.
"""

from __future__ import annotations

import itertools
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from attnviz.errors import DataError
from attnviz.text.columns import choose_columns, extract
from attnviz.text.formats import BadRows, Table, decode, parse_jsonl
from attnviz.text.readers import check_settings, format_of, no_rows_error, open_bytes, read_dataset

BLOCK_LINES = 4096


class TextStream:
    """The texts of `path` in order, without labels; `skipped` counts the bad rows met so far."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        text_column: str | int | None = None,
        label_column: str | int | None = None,
        encoding: str = "utf-8",
        bad_rows: Literal["error", "skip"] = "error",
        format: str | None = None,  # shadows the builtin, as in read_dataset
    ) -> None:
        self.source = os.fspath(path)
        chosen = check_settings(encoding, bad_rows, format)
        self._text_column, self._label_column, self._encoding = text_column, label_column, encoding
        self._bad_rows, self._bad = bad_rows, BadRows(self.source, bad_rows)
        location = Path(self.source)
        self.streamed = (
            self.source != "-" and location.is_file() and (chosen or format_of(location.name)) == "jsonl"
            and not _starts_with(location, b"[")
        )  # fmt: skip
        self._whole = None if self.streamed else self._read_whole(chosen)

    @property
    def skipped(self) -> int:
        return self._bad.skipped

    def __iter__(self) -> Iterator[str]:
        if self._whole is not None:
            return iter(self._whole)
        return self._jsonl_texts()

    def _read_whole(self, chosen: str | None) -> list[str]:
        dataset = read_dataset(
            self.source, text_column=self._text_column, label_column=self._label_column, encoding=self._encoding,
            bad_rows=self._bad_rows, require_labels=False, format=chosen,
        )  # fmt: skip
        self._bad.skipped = dataset.skipped
        return dataset.texts

    def _jsonl_texts(self) -> Iterator[str]:
        column: str | None = None
        count = 0
        for first_line, block in _line_blocks(Path(self.source), self.source):
            text = decode(block, self._encoding, self.source, first_line)
            table = parse_jsonl(text, self._bad, first_line)
            if not table.numbers:
                continue
            column = column or self._choose_column(table)
            texts = self._texts(table, column)
            count += len(texts)
            yield from texts
        if count == 0:
            raise no_rows_error(self.source, self._bad.skipped)
        self._bad.log_summary()

    def _choose_column(self, table: Table) -> str:
        found = choose_columns(table, self._text_column, self._label_column, self.source, require_labels=False)
        return table.columns[found[0]]

    def _texts(self, table: Table, column: str) -> list[str]:
        if column in table.columns:
            return extract(table, table.columns.index(column), None, self._bad)[0]
        # No record of this block has the field: each one is a bad row, as it would be read whole.
        for record in range(len(table.numbers)):
            self._bad.report(table.where(record), f"it has no {column!r} key")
        return []


def _starts_with(location: Path, prefix: bytes) -> bool:
    """Whether the file's first non-blank bytes (after decompression) are `prefix`."""
    try:
        with open_bytes(location) as file:
            return file.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(prefix)
    except (OSError, EOFError, zlib.error):
        return False  # read_dataset's own reading reports it


def _line_blocks(location: Path, source: str) -> Iterator[tuple[int, bytes]]:
    """(number of the first line, the bytes of up to BLOCK_LINES whole lines) through the file."""
    try:
        with open_bytes(location) as file:
            number = 1
            while lines := list(itertools.islice(file, BLOCK_LINES)):
                yield number, b"".join(lines)
                number += len(lines)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"{source} cannot be read whole ({err}); check that it was copied whole.") from err

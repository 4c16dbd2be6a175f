"""Reading an uploaded data file: from memory, by the command line's readers, within bounds.

Starlette spools a multipart file in memory (or an anonymous temporary file), never under its own
name, and the name sent is only ever shown, cleaned. Only text formats are taken: CSV, TSV and JSON
Lines, also gzipped, decompressed here with a cap so that a small bomb cannot fill the memory.
(Parquet is refused: a few kilobytes of it can declare billions of rows.)
"""

from __future__ import annotations

import io
import re
import zlib

from attnviz.errors import DataError
from attnviz.text.readers import TextDataset, read_dataset
from attnviz.web.problems import PayloadTooLargeError

_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")
_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"
EXPANSION = 16  # a gzipped upload may hold this many times the body limit


def display_name(filename: str | None) -> str:
    """A safe short name for an uploaded file: its last path part, plain characters only."""
    last = re.split(r"[\\/]", filename or "")[-1]
    cleaned = _UNSAFE_NAME.sub("_", last).strip(" .")[:100]
    return cleaned or "upload"


def _column(value: str | None) -> str | int | None:
    """A column given as digits is an index (headerless files); anything else is a name."""
    if value is None or not value.strip():
        return None
    return int(value) if value.isascii() and value.isdigit() else value


def _gunzip(data: bytes, name: str, limit: int) -> bytes:
    """The decompressed content, refused (413) as soon as it would pass `limit` bytes."""
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        content = decompressor.decompress(data, limit + 1)
    except zlib.error as error:
        raise DataError(f"{name} is not a valid gzip file ({error}); check that it was copied whole.") from None
    if len(content) > limit:
        raise PayloadTooLargeError(
            f"{name} decompresses to more than {limit:,} bytes; upload less, or run `attnviz report` on it."
        )
    return content


def read_upload(
    filename: str | None, data: bytes, text_column: str | None, label_column: str | None, *, max_bytes: int
) -> TextDataset:
    """The texts (and labels, when present) of an uploaded file; gzip expands to at most `max_bytes`."""
    name = display_name(filename)
    if data.startswith(_PARQUET_MAGIC) or name.lower().endswith((".parquet", ".pq")):
        raise DataError(f"{name}: Parquet is not taken here; upload CSV, TSV or JSON Lines, or use `attnviz report`.")
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data, name, max_bytes)
    suffix = re.search(r"(\.[A-Za-z]+)(?:\.gz)?$", name)
    chosen = _FORMATS.get(suffix.group(1).lower()) if suffix else None
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")  # read_dataset reads its bytes
    try:
        dataset = read_dataset(
            "-", stdin=stream, format=chosen, require_labels=False, bad_rows="skip",
            text_column=_column(text_column), label_column=_column(label_column),
        )  # fmt: skip
    except DataError as error:
        raise DataError(str(error).replace("<stdin>", name)) from None
    return TextDataset(dataset.texts, dataset.labels, f"{name} (uploaded)", dataset.skipped)

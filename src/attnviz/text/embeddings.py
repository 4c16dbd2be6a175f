"""Pretrained word vectors: word2vec (text or binary), GloVe and fastText `.vec` files, also gzipped.

The format is found from the content, not the name: gzip by its magic bytes; a first line of two
whole numbers ("count dimension") is a word2vec / fastText header, anything else is GloVe's
"word v1 ... vd"; after a header, a first record that does not read as text is word2vec binary
(the word, a space, `dimension` little-endian float32 values, an optional newline).

The file is streamed and only the vectors of the words asked for are kept, so a multi-GB file
needs memory for the vocabulary's vectors only. The first vector of a word wins over later ones.
GloVe 840B has words with spaces in them: the last `dimension` fields of a line are the numbers
and everything before them is the word (a GloVe file's width is taken from its first line, which
must be a plain word).

Words are compared as UTF-8 bytes. A word in the file that is not valid UTF-8 (Google's word2vec
binary has some, cut in the middle of a character) is skipped rather than decoded with
replacement characters: it can never equal a vocabulary word, which is decoded text, and a lossy
decoding could make two different words one, or match a vocabulary word that really contains U+FFFD.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from attnviz.errors import DataError
from attnviz.text.formats import is_number
from attnviz.text.readers import open_bytes

logger = logging.getLogger(__name__)
_CHUNK = 1 << 20
_TEXT_NUMBERS = re.compile(rb"[0-9.eE+\-naifNAIF \t]*")


@dataclass(frozen=True)
class WordVectors:
    """The vectors found for the words asked for (float32, each of length `dimension`)."""

    dimension: int
    vectors: dict[str, np.ndarray]
    # How many word entries the file has (counting those that were not kept).
    words_in_file: int

    @property
    def found(self) -> int:
        """How many of the words asked for have a vector."""
        return len(self.vectors)


@dataclass
class _Selection:
    """Which file words to keep: exact matches, and with `lowercase` the first case variant of a word."""

    wanted: dict[bytes, str]
    lowercase: bool
    exact: dict[str, np.ndarray] = field(default_factory=dict)
    folded: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, vocabulary: Collection[str], lowercase: bool) -> _Selection:
        return cls({word.encode("utf-8"): word for word in vocabulary}, lowercase)

    def target(self, word: bytes) -> tuple[str, dict[str, np.ndarray]] | None:
        """The vocabulary word that `word` gives a vector to, and the table it goes in; None to skip it."""
        exact = self.wanted.get(word)
        if exact is not None:
            return (exact, self.exact) if exact not in self.exact else None
        if not self.lowercase:
            return None
        try:
            folded = word.decode("utf-8").lower()
        except UnicodeDecodeError:
            return None
        if folded in self.folded or folded.encode("utf-8") not in self.wanted:
            return None
        return folded, self.folded

    def result(self, dimension: int, words_in_file: int) -> WordVectors:
        return WordVectors(dimension, {**self.folded, **self.exact}, words_in_file)


def read_word_vectors(path: str | Path, vocabulary: Collection[str], *, lowercase: bool = False) -> WordVectors:
    """The vectors in `path` of the words in `vocabulary` (a set, list or mapping of words).

    With `lowercase`, a vocabulary word the file lacks takes the vector of the first of its case
    variants in the file ("Paris" for "paris"): for a tokenizer that lower-cases anyway.
    """
    location = Path(path)
    source = location.name
    if not location.exists():
        raise DataError(f"The word vectors file {path} does not exist; check the path.")
    if location.is_dir():
        raise DataError(f"{path} is a folder; give the word vectors file itself.")
    selection = _Selection.of(vocabulary, lowercase)
    try:
        with open_bytes(location) as handle:
            vectors = _read(handle, source, selection)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"{source} cannot be read ({err}); check that it is a whole word vectors file.") from err
    logger.info("read %s word vectors of %d dimensions from %s", f"{vectors.words_in_file:,}", vectors.dimension, path)
    return vectors


def _read(handle: BinaryIO, source: str, selection: _Selection) -> WordVectors:
    first = handle.readline()
    if not first.strip():
        raise DataError(f"{source} is empty; give a word2vec, GloVe or fastText vectors file.")
    header = _header(first)
    if header is None:
        dimension = len(first.split()) - 1
        if dimension < 1:
            raise DataError(f"{source}, line 1: expected a word and its numbers, or a 'count dimension' header.")
        handle.seek(0)
        return _read_text(handle, source, selection, dimension, first_line=1)
    count, dimension = header
    start = handle.tell()
    record = handle.readline(4 * dimension + 65_536)
    if _reads_as_text(record):
        handle.seek(0)
        return _read_text(handle, source, selection, dimension, first_line=2)
    handle.seek(start)
    return _read_binary(handle, source, selection, count, dimension)


def _header(line: bytes) -> tuple[int, int] | None:
    fields = line.split()
    if len(fields) != 2 or not all(field.isdigit() for field in fields):
        return None
    return int(fields[0]), int(fields[1])


def _reads_as_text(record: bytes) -> bool:
    """Whether the first record after a header is text: after its word, only the characters of numbers.
    The bytes of float32 values are almost never all among them, so binary records fail this."""
    return _TEXT_NUMBERS.fullmatch(record.partition(b" ")[2].rstrip(b"\r\n")) is not None


# -- text: word2vec text, fastText .vec, GloVe ----------------------------------------------------


def _read_text(handle: BinaryIO, source: str, selection: _Selection, dimension: int, first_line: int) -> WordVectors:
    words = 0
    expected = f"{dimension} (as in {'the header' if first_line == 2 else 'line 1'})"
    for number, word, numbers in _text_records(handle, source, dimension, first_line, expected):
        words += 1
        target = selection.target(word)
        if target is not None:
            target[1][target[0]] = _parse_numbers(numbers, dimension, source, number, expected)
    if words == 0:
        raise DataError(f"{source} has a header but no vectors; give a complete word vectors file.")
    return selection.result(dimension, words)


def _text_records(
    handle: BinaryIO, source: str, dimension: int, first_line: int, expected: str
) -> Iterator[tuple[int, bytes, bytes]]:
    """(line number, word, the numbers' bytes) for every non-blank line from `first_line` on."""
    for number, raw in enumerate(handle, start=1):
        line = raw.rstrip()
        if number < first_line or not line:
            continue
        spaces = line.count(b" ")
        if spaces == dimension:
            word, _, numbers = line.partition(b" ")
        elif spaces < dimension:
            raise _length_error(source, number, spaces, expected)
        else:
            word, numbers = _split_spaced_word(line, source, number, dimension, expected)
        yield number, word, numbers


def _split_spaced_word(line: bytes, source: str, number: int, dimension: int, expected: str) -> tuple[bytes, bytes]:
    """A line with more fields than a word and `dimension` numbers: a word with spaces (GloVe 840B's
    ". . ."), unless all its extra fields are numbers too, which is a vector of the wrong length."""
    parts = line.rsplit(b" ", dimension)
    extra = parts[0].split(b" ")[1:]
    if all(is_number(field) for field in extra):
        raise _length_error(source, number, dimension + len(extra), expected)
    return parts[0], b" ".join(parts[1:])


def _parse_numbers(numbers: bytes, dimension: int, source: str, number: int, expected: str) -> np.ndarray:
    try:
        vector = np.array([float(field) for field in numbers.split()], dtype=np.float32)
    except ValueError:
        raise DataError(f"{source}, line {number}: a vector value is not a number; the file is damaged.") from None
    if len(vector) != dimension:
        raise _length_error(source, number, len(vector), expected)
    _check_finite(vector, source, f"line {number}")
    return vector


def _length_error(source: str, number: int, found: int, expected: str) -> DataError:
    return DataError(
        f"{source}, line {number}: the vector has {found} values where {expected} were expected; "
        "every vector in a file must have the same length."
    )


def _check_finite(vector: np.ndarray, source: str, where: str) -> None:
    if not np.isfinite(vector).all():
        raise DataError(f"{source}, {where}: the vector has an infinite or NaN value; the file is damaged.")


# -- word2vec binary ----------------------------------------------------------------------------------


def _read_binary(handle: BinaryIO, source: str, selection: _Selection, count: int, dimension: int) -> WordVectors:
    for position, word, raw in _binary_records(handle, source, count, 4 * dimension):
        target = selection.target(word)
        if target is not None:
            vector = np.frombuffer(raw, dtype="<f4").astype(np.float32)
            _check_finite(vector, source, f"word {position}")
            target[1][target[0]] = vector
    if count == 0:
        raise DataError(f"{source} has a header but no vectors; give a complete word vectors file.")
    return selection.result(dimension, count)


def _binary_records(handle: BinaryIO, source: str, count: int, size: int) -> Iterator[tuple[int, bytes, bytes]]:
    """(word number, word, `size` bytes of float32 values) for each of the header's `count` words."""
    buffer, start = b"", 0
    for position in range(1, count + 1):
        while (space := buffer.find(b" ", start)) < 0 or len(buffer) - space - 1 < size:
            chunk = handle.read(_CHUNK)
            if not chunk:
                raise DataError(
                    f"{source} ends after {position - 1:,} of the {count:,} vectors its header announces; "
                    "the file is cut short."
                )
            buffer, start = buffer[start:] + chunk, 0
        yield position, buffer[start:space].lstrip(b"\n"), buffer[space + 1 : space + 1 + size]
        start = space + 1 + size

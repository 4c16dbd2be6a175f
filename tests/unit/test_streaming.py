"""Reading a JSON Lines file's texts a block at a time gives what reading it whole gives."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import attnviz.text.streaming
from attnviz.errors import DataError
from attnviz.text.readers import read_dataset
from attnviz.text.streaming import TextStream


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attnviz.text.streaming, "BLOCK_LINES", 3)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


RECORDS = [json.dumps({"id": number, "review": f"review number {number}", "stars": number % 5}) for number in range(10)]


def test_blocks_give_the_texts_reading_whole_gives_with_the_column_found_by_name(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "reviews.jsonl", [*RECORDS[:5], "", *RECORDS[5:]])
    stream = TextStream(path)
    assert stream.streamed
    assert list(stream) == read_dataset(path, require_labels=False).texts == [f"review number {n}" for n in range(10)]


def test_gzipped_files_and_a_named_column_stream_too(tmp_path: Path) -> None:
    path = tmp_path / "reviews.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(RECORDS) + "\n").encode()))
    stream = TextStream(path, text_column="id")
    assert stream.streamed and list(stream) == [str(number) for number in range(10)]


def test_texts_are_read_lazily_and_a_bad_line_far_below_names_its_own_number(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "reviews.jsonl", [*RECORDS[:8], "{not json", *RECORDS[8:]])
    texts = iter(TextStream(path))
    assert next(texts) == "review number 0"  # the bad line 9 has not been read yet
    with pytest.raises(DataError, match=r"reviews.jsonl, line 9: the line is not valid JSON"):
        list(texts)


def test_skipped_rows_are_counted_and_a_block_without_the_column_is_bad_rows(tmp_path: Path) -> None:
    lines = [*RECORDS[:3], '{"other": "x"}', '{"other": "y"}', '{"other": "z"}', *RECORDS[3:5], "[1, 2]"]
    path = write_lines(tmp_path / "reviews.jsonl", lines)
    stream = TextStream(path, bad_rows="skip")
    assert list(stream) == [f"review number {n}" for n in range(5)] and stream.skipped == 4
    with pytest.raises(DataError, match=r"line 4: it has no 'review' key"):
        list(TextStream(path))


def test_undecodable_bytes_in_a_later_block_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "reviews.jsonl"
    path.write_bytes(("\n".join(RECORDS[:4]) + "\n").encode() + b'{"review": "caf\xe9"}\n')
    with pytest.raises(DataError, match=r"line 5: the bytes are not valid utf-8"):
        list(TextStream(path))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("reviews.json", json.dumps([{"review": "a whole array"}, {"review": "read whole"}])),
        ("reviews.csv", "review,stars\na whole array,1\nread whole,2\n"),
        ("reviews.txt", "a whole array\nread whole\n"),
    ],
)
def test_other_inputs_are_read_whole_with_the_same_rules(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    stream = TextStream(path)
    assert not stream.streamed and list(stream) == ["a whole array", "read whole"]


def test_an_empty_or_all_bad_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="has no rows; give it at least one text"):
        list(TextStream(write_lines(tmp_path / "empty.jsonl", [""])))
    bad = write_lines(tmp_path / "bad.jsonl", ["[1]", "2"])
    with pytest.raises(DataError, match="no usable rows: all 2 were bad and skipped"):
        list(TextStream(bad, bad_rows="skip"))
    with pytest.raises(DataError, match="does not exist"):
        TextStream(tmp_path / "missing.jsonl")

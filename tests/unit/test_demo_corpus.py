"""The packaged demo corpus: its shape, its balance, and that the generator rebuilds it exactly."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from collections import Counter
from importlib.resources import files
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "make_demo_corpus.py"
LABELS = {"positive", "negative", "neutral"}
NEGATION = re.compile(r"\b(?:not|never|neither|no)\b|n't", re.IGNORECASE)


def _corpus_bytes() -> bytes:
    return (files("attnviz") / "demo" / "reviews.tsv").read_bytes()


@pytest.fixture(scope="module")
def raw() -> str:
    return _corpus_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def rows(raw: str) -> list[tuple[str, str]]:
    lines = raw.split("\n")
    assert lines[-1] == "", "the file ends with a newline"
    out = []
    for line in lines[1:-1]:
        fields = line.split("\t")
        assert len(fields) == 2, f"not text<TAB>label: {line!r}"
        out.append((fields[0], fields[1]))
    return out


def test_header(raw: str) -> None:
    assert raw.split("\n", 1)[0] == "text\tlabel"


def test_texts_are_unique_and_plentiful(rows: list[tuple[str, str]]) -> None:
    texts = [text for text, _ in rows]
    assert len(texts) >= 1500
    assert len(set(texts)) == len(texts)


def test_classes_are_balanced(rows: list[tuple[str, str]]) -> None:
    counts = Counter(label for _, label in rows)
    assert set(counts) == LABELS
    for label, count in counts.items():
        assert 0.30 <= count / len(rows) <= 0.37, (label, count)


def test_texts_are_single_clean_lines(rows: list[tuple[str, str]]) -> None:
    for text, _ in rows:
        assert text == text.strip()
        assert not set(text) & {"\t", "\n", "\r"}
        assert 1 <= len(text.split()) <= 40, text


def test_csv_reading_keeps_every_text(raw: str, rows: list[tuple[str, str]]) -> None:
    # Quotes inside texts must not be taken for CSV quoting.
    reader = csv.reader(io.StringIO(raw), delimiter="\t", quoting=csv.QUOTE_MINIMAL, strict=True)
    parsed = [tuple(record) for record in reader]
    assert parsed[1:] == rows


def test_negation_share(rows: list[tuple[str, str]]) -> None:
    negated = sum(bool(NEGATION.search(text)) for text, _ in rows)
    assert 0.10 <= negated / len(rows) <= 0.25
    for label in LABELS:
        assert any(NEGATION.search(text) for text, lab in rows if lab == label), label


def test_generator_reproduces_the_packaged_file(tmp_path: Path) -> None:
    out = tmp_path / "reviews.tsv"
    subprocess.run([sys.executable, str(SCRIPT), "--output", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == _corpus_bytes()

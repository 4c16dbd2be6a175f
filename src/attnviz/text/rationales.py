"""Texts with human rationales in the ERASER benchmark's format (DeYoung et al. 2020).

A folder holds `docs/` (one whitespace-tokenised document a file) and `train.jsonl`, `val.jsonl`,
`test.jsonl`: per line an `annotation_id` (the document's file name), a `classification` and
`evidences`, lists of spans with `docid`, `start_token` and `end_token` (exclusive) in whitespace
tokens. Spans come back as character offsets into the document's text, so they do not depend on
how attnviz tokenises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from attnviz.errors import DataError

SPLITS = ("train", "val", "test")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class RationaleExample:
    document: str  # the document's file name, ERASER's annotation_id
    text: str
    label: str
    spans: tuple[tuple[int, int], ...]  # characters humans marked as evidence, [start, end)


def read_eraser(folder: str | Path, split: str = "test") -> list[RationaleExample]:
    """The split's documents with their labels and rationales; documents without evidence are skipped."""
    root = Path(folder)
    if split not in SPLITS:
        raise DataError(f"An ERASER split is one of {', '.join(SPLITS)}, not {split!r}.")
    annotations = root / f"{split}.jsonl"
    if not annotations.is_file() or not (root / "docs").is_dir():
        raise DataError(f"{root} is not an ERASER data folder: it needs {split}.jsonl and a docs folder.")
    examples = []
    for number, line in enumerate(annotations.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            example = _example(root, json.loads(line), f"{annotations}, line {number}")
            if example.spans:
                examples.append(example)
    return examples


def _example(root: Path, record: dict[str, object], where: str) -> RationaleExample:
    try:
        document = str(record["annotation_id"])
        text = (root / "docs" / Path(document).name).read_text(encoding="utf-8")
        words = [(match.start(), match.end()) for match in _WORD.finditer(text)]
        evidence = [span for group in record["evidences"] for span in group]  # type: ignore[attr-defined]
        spans = sorted({(words[span["start_token"]][0], words[span["end_token"] - 1][1]) for span in evidence})
        return RationaleExample(document, text, str(record["classification"]), tuple(spans))
    except (KeyError, IndexError, TypeError, OSError) as error:
        raise DataError(f"{where}: not a readable ERASER annotation ({error}).") from error


def match_rationales(
    texts: Sequence[str], examples: Sequence[RationaleExample]
) -> tuple[list[list[tuple[int, int]]], list[str]]:
    """Per text, the spans of the document with the same text (none if no document matches) and a name:
    the document's, or the text's line number. Only trailing whitespace may differ, so spans still fit."""
    by_text = {example.text.rstrip(): example for example in examples}
    matched = [by_text.get(text.rstrip()) for text in texts]
    spans = [list(example.spans) if example else [] for example in matched]
    names = [example.document if example else str(number) for number, example in enumerate(matched, start=1)]
    return spans, names

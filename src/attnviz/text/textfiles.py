"""Formats without columns: `LABEL TEXT` lines (fastText's too) and folders with one file per text."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

from attnviz.errors import DataError
from attnviz.text.formats import BadRows, decode

logger = logging.getLogger(__name__)

_FASTTEXT: Final = "__label__"


def _split_label(line: str) -> tuple[str, str]:
    """The first space- or tab-separated field of `line`, and the rest without its leading blanks."""
    stripped = line.lstrip(" \t")
    ends = [end for end in (stripped.find(" "), stripped.find("\t")) if end >= 0]
    cut = min(ends, default=len(stripped))
    return stripped[:cut], stripped[cut:].lstrip(" \t")


def _fasttext_problem(label: str, body: str) -> str | None:
    """Why a line of a fastText file is bad, or None when it is fine."""
    if not label.startswith(_FASTTEXT):
        return "it does not start with __label__ as the first line does"
    if body.startswith(_FASTTEXT):
        return "it has more than one __label__ label"
    if label == _FASTTEXT:
        return "the label after __label__ is empty"
    return None


def _warn_if_labels_look_like_words(labels: list[str]) -> None:
    # A file of plain texts read as label-text lines gives nearly one "label" per line: say so early.
    distinct = len(set(labels))
    if len(labels) >= 20 and distinct > len(labels) // 2:
        logger.warning(
            "%d different labels in %d lines: is the first word of each line really its label?",
            distinct,
            len(labels),
        )


def parse_lines(text: str, bad: BadRows, *, require_labels: bool) -> tuple[list[str], list[str] | None]:
    """`LABEL TEXT` lines (fastText's `__label__LABEL TEXT` too), or one text a line.

    Lines are texts alone when labels are optional and not every line starts with `__label__`.
    """
    numbered = ((number, line.removesuffix("\r")) for number, line in enumerate(text.split("\n"), start=1))
    lines = [(number, line) for number, line in numbered if line.strip()]
    tagged = [line.lstrip(" \t").startswith(_FASTTEXT) for _, line in lines]
    if not require_labels and not all(tagged):
        return [line for _, line in lines], None
    fasttext = bool(tagged) and tagged[0]
    texts: list[str] = []
    labels: list[str] = []
    for number, line in lines:
        label, body = _split_label(line)
        problem = _fasttext_problem(label, body) if fasttext else None
        if problem is not None:
            bad.report(f"line {number}", problem)
            continue
        labels.append(label.removeprefix(_FASTTEXT) if fasttext else label)
        texts.append(body)
    _warn_if_labels_look_like_words(labels)
    return texts, labels


def _visible(folder: Path) -> list[Path]:
    return sorted((entry for entry in folder.iterdir() if not entry.name.startswith(".")), key=lambda p: p.name)


def _read_document(path: Path, encoding: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataError(f"{path} cannot be read ({err.strerror or err}); check its permissions.") from err
    return decode(data, encoding, str(path)).rstrip("\r\n")


def read_folder(root: Path, source: str, encoding: str, *, require_labels: bool) -> tuple[list[str], list[str] | None]:
    """One sub-folder per class (its name is the label), one file per text; hidden entries are skipped."""
    entries = _visible(root)
    class_folders = [entry for entry in entries if entry.is_dir()]
    loose = [entry for entry in entries if entry.is_file()]
    if not class_folders:
        if not loose:
            raise DataError(
                f"{source} is an empty folder; put in it one sub-folder per class, each holding one file per text."
            )
        if require_labels:
            raise DataError(
                f"{source} has no class sub-folders; put each class's files in a sub-folder named after the class."
            )
        return [_read_document(path, encoding) for path in loose], None
    if loose:
        logger.warning("%s: ignored %d file(s) outside the class sub-folders", source, len(loose))
    texts: list[str] = []
    labels: list[str] = []
    for folder in class_folders:
        documents = [entry for entry in _visible(folder) if entry.is_file()]
        if not documents:
            logger.warning("%s: the class folder %r holds no files", source, folder.name)
        texts.extend(_read_document(path, encoding) for path in documents)
        labels.extend(folder.name for _ in documents)
    if not texts:
        raise DataError(f"{source} has class sub-folders but no files in them; put one file per text in them.")
    return texts, labels

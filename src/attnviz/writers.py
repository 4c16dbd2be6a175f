"""Writing predictions and explanations to files: the format follows the file's extension."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from attnviz.errors import DataError
from attnviz.explanation import Explanation, json_text

PREDICTION_FORMATS = ("jsonl", "csv")
EXPLANATION_FORMATS = ("json", "jsonl", "html", "csv", "tex", "svg", "png", "txt")
# Formats written explanation by explanation, so that memory stays flat however long the input is.
STREAMED_FORMATS = ("jsonl", "csv", "txt")
_ALIASES = {"ndjson": "jsonl", "htm": "html", "latex": "tex"}
_CSV_PIECE = 1 << 16  # characters of CSV gathered before they are handed to the file


def output_format(path: str | os.PathLike[str], allowed: Sequence[str], override: str | None = None) -> str:
    """The format named by `override`, else by the file's extension; refuses anything not in `allowed`."""
    name = override or Path(path).suffix.lstrip(".").lower()
    name = _ALIASES.get(name, name)
    if name not in allowed:
        raise DataError(f"Cannot write {path}: use one of the extensions {', '.join('.' + f for f in allowed)}.")
    return name


def prediction_records(
    texts: Sequence[str],
    labels: Sequence[str],
    probabilities: Sequence[Sequence[float]],
    classes: Sequence[str],
) -> list[dict[str, Any]]:
    return [
        {"text": text, "label": label, "probabilities": dict(zip(classes, map(float, row), strict=True))}
        for text, label, row in zip(texts, labels, probabilities, strict=True)
    ]


def stream_predictions(records: Iterable[dict[str, Any]], classes: Sequence[str], file_format: str) -> Iterator[str]:
    """Prediction records in one of PREDICTION_FORMATS, piece by piece: a file of any length is written
    without holding it. The CSV has a `p_<class>` column per class."""
    if file_format == "jsonl":
        return (json_text(record) + "\n" for record in records)
    assert file_format == "csv", file_format
    return _csv_predictions(records, classes)


def _csv_predictions(records: Iterable[dict[str, Any]], classes: Sequence[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["text", "label", *(f"p_{name}" for name in classes)])
    for record in records:
        writer.writerow([record["text"], record["label"], *(record["probabilities"][name] for name in classes)])
        if buffer.tell() > _CSV_PIECE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def format_explanations(explanations: Sequence[Explanation], file_format: str, title: str = "attnviz") -> str | bytes:
    """The explanations in one of EXPLANATION_FORMATS; PNG is bytes, everything else text.

    "csv" is one row per token with its weights and colour; "txt" is the terminal picture without colour.
    """
    if file_format in ("jsonl", "txt"):
        return "".join(stream_explanations(explanations, file_format, []))
    if file_format == "json":
        return "[" + ",".join(explanation.to_json() for explanation in explanations) + "]\n"
    from attnviz import render

    if file_format == "html":
        return render.render_page(explanations, title=title)
    if file_format == "csv":
        return render.render_token_csv(explanations)
    if file_format == "tex":
        return render.render_latex(explanations, title=title)
    if file_format == "svg":
        return render.render_svg(explanations)
    assert file_format == "png", file_format
    return render.render_png(explanations)


def stream_explanations(explanations: Iterable[Explanation], file_format: str, classes: Sequence[str]) -> Iterator[str]:
    """The explanations in one of STREAMED_FORMATS, piece by piece; `classes` names the CSV's class columns."""
    if file_format == "jsonl":
        return (explanation.to_json() + "\n" for explanation in explanations)
    from attnviz import render

    if file_format == "csv":
        return render.iter_token_csv(explanations, classes)
    assert file_format == "txt", file_format
    pieces = (render.render_terminal(explanation, color="none") for explanation in explanations)
    return (piece if number == 0 else "\n" + piece for number, piece in enumerate(pieces))


def write_text(path: str | os.PathLike[str], content: str | bytes) -> Path:
    """Writes (text as UTF-8) through a temporary file and a rename, so readers never see half a file."""
    return write_pieces(path, [content])


def write_pieces(path: str | os.PathLike[str], pieces: Iterable[str | bytes]) -> Path:
    """Writes the pieces one after another (text as UTF-8) through a temporary file and a rename, so
    readers never see half a file and the whole content is never held at once."""
    target = Path(path)
    if target.parent and not target.parent.exists():
        raise DataError(f"Cannot write {target}: the folder {target.parent} does not exist; create it first.")
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        with temporary.open("wb") as file:
            for piece in pieces:
                file.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise DataError(f"Cannot write {target}: {error.strerror or error}.") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target

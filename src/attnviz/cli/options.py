"""Option groups shared by several commands, and the helpers that turn them into library calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from attnviz.text.readers import FORMATS, TextDataset, read_dataset
from attnviz.text.streaming import TextStream

F = TypeVar("F", bound=Callable[..., Any])


def _column(value: str | None) -> str | int | None:
    """A column given as digits is an index (headerless files); anything else is a name."""
    return int(value) if value is not None and value.isdigit() else value


def reader_options(function: F) -> F:
    options = [
        click.option("--text-column", help="Column holding the text: a name, or an index for headerless files."),
        click.option("--label-column", help="Column holding the label: a name, or an index."),
        click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the data files."),
        click.option(
            "--bad-rows", type=click.Choice(["error", "skip"]), default="error", show_default=True,
            help="Stop at the first malformed row, or skip and count such rows.",
        ),
        click.option("--input-format", type=click.Choice(FORMATS), help="Read the data as this format."),
    ]  # fmt: skip
    for option in reversed(options):
        function = option(function)
    return function


def read(path: str, options: dict[str, Any], *, require_labels: bool = True) -> TextDataset:
    dataset = read_dataset(
        path,
        text_column=_column(options["text_column"]),
        label_column=_column(options["label_column"]),
        encoding=options["encoding"],
        bad_rows=options["bad_rows"],
        require_labels=require_labels,
        format=options["input_format"],
    )
    if dataset.skipped:
        click.echo(f"Skipped {dataset.skipped} malformed rows of {dataset.source}.", err=True)
    return dataset


def stream(path: str, options: dict[str, Any]) -> TextStream:
    """The texts of `path` for commands that need no labels, read as they are used where the format allows."""
    return TextStream(
        path,
        text_column=_column(options["text_column"]),
        label_column=_column(options["label_column"]),
        encoding=options["encoding"],
        bad_rows=options["bad_rows"],
        format=options["input_format"],
    )


def reader_settings(options: dict[str, Any]) -> dict[str, Any]:
    names = ("text_column", "label_column", "encoding", "bad_rows", "input_format")
    return {name: options.pop(name) for name in names}

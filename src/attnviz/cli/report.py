"""`attnviz report`: one self-contained HTML file showing a whole data set's predictions and attention."""

from __future__ import annotations

import time
from typing import Any

import click

from attnviz.cli.options import read, reader_options, reader_settings
from attnviz.config import DEVICES
from attnviz.errors import DataError
from attnviz.explanation import METHOD_NAMES


@click.command()
@click.argument("model", type=click.Path())
@click.argument("data", type=click.Path())
@click.option("-o", "--output", type=click.Path(), default="report.html", show_default=True, help="The .html file.")
@click.option("--title", help="Title of the report (default: the data file's name).")
@click.option(
    "--scale", type=click.Choice(["max", "fixed"]), default="max", show_default=True,
    help="Shade by each text's largest weight (max) or by the raw weight on a fixed 0-1 scale.",
)  # fmt: skip
@click.option(
    "--method", "methods", type=click.Choice(METHOD_NAMES), multiple=True,
    help="Also show this explanation method under every text, beside attention; repeat it for several.",
)  # fmt: skip
@reader_options
@click.option("--device", type=click.Choice(DEVICES), default="auto", show_default=True)
def report(
    model: str, data: str, output: str, title: str | None, scale: str, methods: tuple[str, ...], device: str,
    **options: Any,
) -> None:  # fmt: skip
    """Write an HTML report of MODEL on DATA (labelled or not): metrics, filters, every heatmap, a lexicon."""
    from attnviz.classifier import TextClassifier
    from attnviz.render.report import render_report
    from attnviz.reporting import build_report
    from attnviz.writers import write_text

    if not output.lower().endswith((".html", ".htm")):
        raise DataError(f"Cannot write the report to {output}: give a file name ending in .html.")
    started = time.perf_counter()
    dataset = read(data, reader_settings(options), require_labels=False)
    classifier = TextClassifier.load(model, device=device)
    content = build_report(classifier, dataset, model, title=title, scale=scale, methods=methods)  # type: ignore[arg-type]
    write_text(output, render_report(content))
    seconds = time.perf_counter() - started
    click.echo(f"Wrote a report of {len(dataset.texts):,} texts to {output} in {seconds:.1f} s.", err=True)

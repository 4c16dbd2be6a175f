"""`attnviz demo`: train on the built-in corpus and show heatmaps, in well under a minute."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from attnviz.cli.progress import ProgressDisplay

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier

HELD_OUT = 0.2  # of each class, kept from training for the report


@click.command()
@click.option(
    "-o", "--output-dir", type=click.Path(), default="attnviz-demo", show_default=True,
    help="Folder for the demo's model, HTML page and report.",
)  # fmt: skip
@click.option("-q", "--quiet", is_flag=True, help="No per-epoch lines.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
def demo(output_dir: str, quiet: bool, seed: int) -> None:
    """Train on the built-in review corpus, show heatmaps of a few reviews, write an HTML page of them and
    a report of the reviews held out from training."""
    from attnviz.classifier import TextClassifier
    from attnviz.demo import EXAMPLE_TEXTS, load_demo_corpus
    from attnviz.render.terminal import render_terminal
    from attnviz.training.splitting import stratified_split
    from attnviz.writers import format_explanations, write_text

    corpus = load_demo_corpus()
    assert corpus.labels is not None
    (texts, labels), held_out = stratified_split(corpus.texts, corpus.labels, HELD_OUT, seed)
    click.echo(f"Training on {len(texts):,} built-in reviews ({', '.join(sorted(set(labels)))}).")
    started = time.perf_counter()
    classifier = TextClassifier(seed=seed, device="cpu").fit(texts, labels, callback=ProgressDisplay(quiet=quiet))
    folder = Path(output_dir)
    classifier.save(folder / "model")
    click.echo(f"Trained in {time.perf_counter() - started:.1f}s; the model is in {folder / 'model'}.\n")
    explanations = classifier.explain(EXAMPLE_TEXTS)
    for explanation in explanations:
        click.echo(render_terminal(explanation, stream=sys.stdout), color=True)
        click.echo()
    page = write_text(folder / "explanations.html", format_explanations(explanations, "html", "attnviz demo"))
    click.echo(f"Wrote the heatmaps as a web page: {page.resolve()}")
    report = _write_report(classifier, folder, held_out)
    click.echo(f"Wrote a report of the {len(held_out[0]):,} reviews held out from training: {report.resolve()}")
    click.echo(f'Next: attnviz explain {folder / "model"} "your own review here"')


def _write_report(classifier: TextClassifier, folder: Path, held_out: tuple[list[str], list[str]]) -> Path:
    from attnviz.render.report import render_report
    from attnviz.reporting import build_report
    from attnviz.text.readers import TextDataset
    from attnviz.writers import write_text

    dataset = TextDataset(held_out[0], held_out[1], "built-in reviews (held out)")
    content = build_report(classifier, dataset, folder / "model", title="attnviz demo: held-out reviews")
    return write_text(folder / "report.html", render_report(content))

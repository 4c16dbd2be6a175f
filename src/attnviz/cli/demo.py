"""`attnviz demo`: train on the built-in corpus and show heatmaps, in well under a minute."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from attnviz.cli.progress import ProgressDisplay


@click.command()
@click.option(
    "-o", "--output-dir", type=click.Path(), default="attnviz-demo", show_default=True,
    help="Folder for the demo's model and HTML page.",
)  # fmt: skip
@click.option("-q", "--quiet", is_flag=True, help="No per-epoch lines.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
def demo(output_dir: str, quiet: bool, seed: int) -> None:
    """Train on the built-in review corpus, show heatmaps of a few reviews and write an HTML page."""
    from attnviz.classifier import TextClassifier
    from attnviz.demo import EXAMPLE_TEXTS, load_demo_corpus
    from attnviz.render.terminal import render_terminal
    from attnviz.writers import format_explanations, write_text

    corpus = load_demo_corpus()
    assert corpus.labels is not None
    click.echo(f"Training on {len(corpus.texts):,} built-in reviews ({', '.join(sorted(set(corpus.labels)))}).")
    started = time.perf_counter()
    classifier = TextClassifier(seed=seed, device="cpu").fit(
        corpus.texts, corpus.labels, callback=ProgressDisplay(quiet=quiet)
    )
    folder = Path(output_dir)
    classifier.save(folder / "model")
    click.echo(f"Trained in {time.perf_counter() - started:.1f}s; the model is in {folder / 'model'}.\n")
    explanations = classifier.explain(EXAMPLE_TEXTS)
    for explanation in explanations:
        click.echo(render_terminal(explanation, stream=sys.stdout), color=True)
        click.echo()
    page = write_text(folder / "explanations.html", format_explanations(explanations, "html", "attnviz demo"))
    click.echo(f"Wrote the heatmaps as a web page: {page.resolve()}")
    click.echo(f'Next: attnviz explain {folder / "model"} "your own review here"')

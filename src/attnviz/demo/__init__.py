"""The built-in demo corpus: short reviews written for the project, in three classes."""

from __future__ import annotations

from importlib.resources import as_file, files

from attnviz.text.readers import TextDataset, read_dataset

# Shown after the demo trains: plain cues, negation, contrast, and a text the corpus never saw.
EXAMPLE_TEXTS = [
    "The pasta was delicious and the staff were lovely.",
    "Not bad at all, I would happily come back.",
    "The room was dirty and the manager was rude.",
    "It was okay, nothing special but it did the job.",
    "The plot was not good and the ending was a waste of time.",
    "The start was slow, but the ending was brilliant!",
]


def load_demo_corpus() -> TextDataset:
    with as_file(files("attnviz") / "demo" / "reviews.tsv") as path:
        return read_dataset(path)

"""`attnviz train DATA -o FOLDER`."""

from __future__ import annotations

from typing import Any

import click

from attnviz.cli.options import read, reader_options, reader_settings
from attnviz.cli.progress import ProgressDisplay
from attnviz.config import (
    ATTENTION_TYPES,
    CORPUS_VECTORS,
    CORPUS_VECTORS_MIN_WORDS,
    DEVICES,
    RNN_TYPES,
    ModelConfig,
    TrainingConfig,
)

_MODEL, _TRAINING = ModelConfig(), TrainingConfig()

# (option, type, default shown in help, help): all default to "not given", so the configs decide.
_SETTINGS: list[tuple[str, Any, Any, str]] = [
    ("--embedding-size", int, _MODEL.embedding_size, "Width of the word embeddings."),
    ("--hidden-size", int, _MODEL.hidden_size, "RNN units per direction."),
    ("--layers", click.IntRange(1, 2), _MODEL.layers, "Stacked RNN layers."),
    ("--rnn", click.Choice(RNN_TYPES), _MODEL.rnn, "Recurrent cell."),
    (
        "--attention",
        click.Choice(ATTENTION_TYPES),
        _MODEL.attention,
        "Attention form; per-class: each class attends to its own evidence, the faithful choice (see README).",
    ),
    ("--dropout", float, _MODEL.dropout, "Dropout before the output layer."),
    ("--embedding-dropout", float, _MODEL.embedding_dropout, "Dropout on the embeddings."),
    ("--max-length", int, _MODEL.max_length, "Words read per text; longer texts are cut."),
    ("--min-count", int, _MODEL.min_count, "Occurrences a word needs to enter the vocabulary."),
    ("--max-vocabulary-size", int, _MODEL.max_vocabulary_size, "Largest vocabulary kept."),
    ("--epochs", int, _TRAINING.epochs, "Most epochs; early stopping usually ends sooner."),
    ("--batch-size", int, _TRAINING.batch_size, "Texts per mini-batch."),
    ("--learning-rate", float, _TRAINING.learning_rate, "AdamW learning rate."),
    ("--weight-decay", float, _TRAINING.weight_decay, "AdamW weight decay."),
    ("--patience", int, _TRAINING.patience, "Epochs without improvement before stopping."),
    ("--weight-average", float, _TRAINING.weight_average, "Decay of the weights' moving average; 0 = off."),
    (
        "--deletion-consistency",
        float,
        "1 with per-class attention, else 0",
        "Weight of the loss that makes per-class attention rank words by what deleting them does (see README).",
    ),
    (
        "--corpus-vectors",
        click.Choice(CORPUS_VECTORS),
        _TRAINING.corpus_vectors,
        "Start the embeddings from word vectors of the training texts (PPMI + SVD); auto: when no --embeddings "
        f"are given and the texts hold {CORPUS_VECTORS_MIN_WORDS:,} words or more.",
    ),
    ("--valid-fraction", float, _TRAINING.valid_fraction, "Share of the data held out for validation."),
    ("--seed", int, _TRAINING.seed, "Random seed: the same seed and data give the same model."),
    ("--device", click.Choice(DEVICES), _TRAINING.device, "Where to train."),
]


def _setting_options(function: Any) -> Any:
    for flag, kind, default, text in reversed(_SETTINGS):
        function = click.option(flag, type=kind, default=None, help=f"{text} [default: {default}]")(function)
    return function


@click.command()
@click.argument("data", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="Model folder to write.")
@click.option("--valid", type=click.Path(), help="Validation file (otherwise --valid-fraction of DATA).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no per-epoch lines.")
@click.option(
    "--embeddings", type=click.Path(dir_okay=False), metavar="FILE",
    help="Start the embeddings from pretrained word vectors: word2vec (text or binary), GloVe or fastText .vec, "
    "also .gz. Their width is the embedding size unless --embedding-size is given.",
)  # fmt: skip
@reader_options
@_setting_options
def train(data: str, output: str, valid: str | None, quiet: bool, **options: Any) -> None:
    """Train a classifier on a labelled DATA file or folder and save it to a model folder."""
    from attnviz.classifier import TextClassifier

    readers = reader_settings(options)
    settings = {name: value for name, value in options.items() if value is not None}
    classifier = TextClassifier(**settings)
    dataset = read(data, readers)
    valid_set = read(valid, readers) if valid else None
    assert dataset.labels is not None
    click.echo(f"Training on {len(dataset.texts):,} texts from {dataset.source}.", err=True)
    classifier.fit(
        dataset.texts,
        dataset.labels,
        valid_texts=valid_set.texts if valid_set else None,
        valid_labels=valid_set.labels if valid_set else None,
        callback=ProgressDisplay(quiet=quiet),
    )
    classifier.save(output)
    best = min(classifier.history_, key=lambda record: record["valid_loss"])
    click.echo(
        f"Saved the model to {output} (best epoch {best['epoch']}, valid accuracy {best['valid_accuracy']:.4f}).",
        err=True,
    )

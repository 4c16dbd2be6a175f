"""Commands that use a saved model: predict, explain, evaluate, info."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import click

from attnviz.cli.faithfulness_options import faithfulness_options, faithfulness_settings
from attnviz.cli.options import read, reader_options, reader_settings, stream
from attnviz.config import DEVICES
from attnviz.errors import DataError
from attnviz.explanation import METHOD_NAMES, Explanation
from attnviz.writers import EXPLANATION_FORMATS

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier

_model = click.argument("model", type=click.Path())
_device = click.option("--device", type=click.Choice(DEVICES), default="auto", show_default=True)
_input = click.option("--input", "input_path", help="File of texts (any readable format), or - for stdin.")
T = TypeVar("T")


def _load(model: str, device: str) -> TextClassifier:
    from attnviz.classifier import TextClassifier

    return TextClassifier.load(model, device=device)


def _require_texts(texts: tuple[str, ...], input_path: str | None) -> None:
    # An input file without texts is refused by its reader, with the file's name.
    if not texts and not input_path:
        raise DataError("No texts given; pass texts as arguments or a file with --input FILE (- for stdin).")


@click.command()
@_model
@click.argument("texts", nargs=-1)
@_input
@click.option("-o", "--output", type=click.Path(), help="Write predictions to .jsonl or .csv.")
@reader_options
@_device
def predict(
    model: str,
    texts: tuple[str, ...],
    input_path: str | None,
    output: str | None,
    device: str,
    **options: Any,
) -> None:
    """Predict the class of TEXTS (and/or of every text in --input) with a saved MODEL folder."""
    from attnviz.writers import PREDICTION_FORMATS, output_format, stream_predictions, write_pieces

    file_format = output_format(output, PREDICTION_FORMATS) if output else None
    _require_texts(texts, input_path)
    source = stream(input_path, reader_settings(options)) if input_path else None
    classifier = _load(model, device)
    records = _Counted(_predictions(classifier, itertools.chain(texts, source or ())))
    if output and file_format:
        write_pieces(output, stream_predictions(records, classifier.classes_, file_format))
        click.echo(f"Wrote {records.count:,} predictions to {output}.", err=True)
    else:
        _print_predictions(records, classifier.classes_)
    if source is not None and source.skipped:
        click.echo(f"Skipped {source.skipped} malformed rows of {source.source}.", err=True)


def _predictions(classifier: TextClassifier, texts: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Prediction records a chunk of texts at a time, so memory stays flat however long the input is."""
    from attnviz.inference import text_chunks
    from attnviz.writers import prediction_records

    for chunk in text_chunks(texts):
        probabilities = classifier.predict_proba(chunk)
        labels = [classifier.classes_[int(row.argmax())] for row in probabilities]
        yield from prediction_records(chunk, labels, probabilities.tolist(), classifier.classes_)


def _print_predictions(records: Iterable[dict[str, Any]], classes: list[str]) -> None:
    width = max(5, *(len(label) for label in classes))
    click.echo(f"{'label':<{width}}  {'prob':>6}  text")
    for record in records:
        probability, line = record["probabilities"][record["label"]], " ".join(record["text"].split())
        click.echo(f"{record['label']:<{width}}  {probability:>6.3f}  {_clip(line, 80)}")


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@click.command()
@_model
@click.argument("texts", nargs=-1)
@_input
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Write explanations to a file; its extension picks the format: .html .json .jsonl .csv .tex .svg .png .txt",
)
@click.option(
    "--format",
    "output_format_name",
    type=click.Choice(EXPLANATION_FORMATS),
    help="Output format, overriding the extension.",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "truecolor", "256", "none"]),
    default="auto",
    show_default=True,
    help="Terminal colours (NO_COLOR is respected under auto).",
)
@click.option(
    "--method", "methods", type=click.Choice(METHOD_NAMES), multiple=True,
    help="Explanation method [default: attention]; repeat it to show methods side by side, text by text.",
)  # fmt: skip
@reader_options
@_device
def explain(
    model: str, texts: tuple[str, ...], input_path: str | None, output: str | None,
    output_format_name: str | None, color: str, methods: tuple[str, ...], device: str, **options: Any,
) -> None:  # fmt: skip
    """Show which words MODEL attended to for TEXTS: in the terminal, or written to --output."""
    from attnviz.writers import output_format

    file_format = output_format(output, EXPLANATION_FORMATS, output_format_name) if output else None
    settings = reader_settings(options)
    _require_texts(texts, input_path)
    source = stream(input_path, settings) if input_path else None
    classifier = _load(model, device)
    chosen = list(dict.fromkeys(methods or ["attention"]))
    # Lazily, the methods in step on copies of one stream of texts, so that the terminal and the streamed
    # formats hold a few chunks at a time however long the input is.
    copies = itertools.tee(itertools.chain(texts, source or ()), len(chosen))
    by_method = [classifier.iter_explain(copy, method=method) for copy, method in zip(copies, chosen, strict=True)]
    explanations = (explanation for group in zip(*by_method, strict=True) for explanation in group)
    if output and file_format:
        count = _write_explanations(output, file_format, explanations, classifier.classes_, f"attnviz: {model}")
        click.echo(f"Wrote {count:,} explanations to {output}.", err=True)
    else:
        from attnviz.render.terminal import render_terminal

        for explanation in explanations:
            # The renderer has already decided on colour (NO_COLOR, tty); stop click from stripping it again.
            click.echo(render_terminal(explanation, color=color, stream=sys.stdout), color=True)  # type: ignore[arg-type]
    if source is not None and source.skipped:
        click.echo(f"Skipped {source.skipped} malformed rows of {source.source}.", err=True)


def _write_explanations(
    output: str, file_format: str, explanations: Iterator[Explanation], classes: list[str], title: str
) -> int:
    """Writes the explanations, streaming the formats that allow it; returns how many there were."""
    from attnviz.writers import STREAMED_FORMATS, format_explanations, stream_explanations, write_pieces

    counted = _Counted(explanations)
    if file_format in STREAMED_FORMATS:
        write_pieces(output, stream_explanations(counted, file_format, classes))
    else:
        write_pieces(output, [format_explanations(list(counted), file_format, title=title)])
    return counted.count


class _Counted(Generic[T]):
    """An iterator (of explanations, of predictions) that counts what went through it."""

    def __init__(self, items: Iterator[T]) -> None:
        self._items, self.count = items, 0

    def __iter__(self) -> Iterator[T]:
        for item in self._items:
            self.count += 1
            yield item


@click.command()
@_model
@click.argument("data", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@faithfulness_options
@reader_options
@_device
def evaluate(model: str, data: str, as_json: bool, device: str, faithfulness: bool, **options: Any) -> None:
    """Measure MODEL on a labelled DATA file: accuracy, macro-F1, per-class scores, confusion matrix.

    With --faithfulness: a report card of how faithful attention and the other explanation methods are.
    """
    card = faithfulness_settings(options, faithfulness)
    if card is not None:
        from attnviz.cli.faithfulness import run_faithfulness

        run_faithfulness(model, data, card, reader_settings(options), as_json=as_json, device=device)
        return
    dataset = read(data, reader_settings(options))
    assert dataset.labels is not None
    report = _load(model, device).evaluate(dataset.texts, dataset.labels)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"accuracy {report['accuracy']:.4f}   macro-F1 {report['macro_f1']:.4f}   ({report['examples']:,} texts)"
    )
    width = max(5, *(len(name) for name in report["classes"]))
    click.echo(f"{'class':<{width}}  precision  recall      f1  support")
    for name, scores in report["per_class"].items():
        click.echo(
            f"{name:<{width}}  {scores['precision']:>9.4f}  {scores['recall']:>6.4f}  {scores['f1']:>6.4f}  "
            f"{scores['support']:>7,}"
        )


@click.command()
@_model
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
def info(model: str, as_json: bool) -> None:
    """Describe a saved MODEL folder: classes, architecture, training history and versions."""
    classifier = _load(model, "cpu")
    config = classifier.network_.config
    summary = {
        "classes": classifier.classes_,
        "config": config.to_dict(),
        "parameters": sum(parameter.numel() for parameter in classifier.network_.parameters()),
        "history": classifier.history_,
        "meta": classifier.meta_,
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    meta = classifier.meta_
    click.echo(f"model        {model}")
    click.echo(f"classes      {', '.join(classifier.classes_)}")
    click.echo(
        f"network      embedding {config.embedding_size} -> bidirectional {config.rnn.upper()} "
        f"{config.hidden_size} x {config.layers} -> {config.attention} attention ({summary['parameters']:,} parameters)"
    )
    click.echo(f"vocabulary   {config.vocabulary_size:,} words, texts cut at {config.max_length} words")
    if classifier.history_:
        best = min(classifier.history_, key=lambda record: record["valid_loss"])
        click.echo(
            f"training     {len(classifier.history_)} epochs, best {best['epoch']} "
            f"(valid accuracy {best['valid_accuracy']:.4f}) on {meta.get('training_examples', '?'):,} texts"
        )
    click.echo(
        f"versions     attnviz {meta.get('attnviz_version')}, torch {meta.get('torch_version')}, "
        f"Python {meta.get('python_version')}"
    )
    click.echo(f"created      {meta.get('created')}")
    click.echo(f"data sha256  {meta.get('training_data_sha256')}")

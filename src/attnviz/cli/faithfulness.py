"""`attnviz evaluate --faithfulness`: the report card of every explanation method, as a table, JSON or HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import numpy as np

from attnviz.cli.faithfulness_options import CardSettings
from attnviz.cli.options import read
from attnviz.errors import DataError

if TYPE_CHECKING:
    from attnviz.scorecard_model import Scorecard

Spans = list[tuple[int, int]]
T = TypeVar("T")


def run_faithfulness(
    model: str, data: str, settings: CardSettings, readers: dict[str, Any], *, as_json: bool, device: str
) -> None:
    from attnviz.checkpoint import model_sha256
    from attnviz.classifier import TextClassifier
    from attnviz.scorecard import DEFAULT_METHODS, build_scorecard, default_footer

    texts, labels, rationales, documents = _sample(*_examples(data, settings, readers), settings.max_examples)
    classifier = TextClassifier.load(model, device=device)
    footer = {**default_footer(), "model": Path(model).name, "model_sha256": model_sha256(model), "data": data}
    card = build_scorecard(
        classifier, texts, labels, methods=settings.methods or DEFAULT_METHODS, rationales=rationales,
        title=f"Faithfulness of {Path(model).name} on {Path(data).name}", footer=footer,
    )  # fmt: skip
    _write_files(card, settings, classifier, documents)
    if as_json:
        click.echo(json.dumps(card.to_json(), indent=2, ensure_ascii=False))
    else:
        _print_table(card)


def _examples(
    data: str, settings: CardSettings, readers: dict[str, Any]
) -> tuple[list[str], list[str] | None, list[Spans] | None, list[str]]:
    """Texts, labels, rationales (when asked for) and document names (ERASER's ids, or line numbers)."""
    if settings.rationales is None:
        dataset = read(data, readers, require_labels=False)
        return list(dataset.texts), dataset.labels, None, [str(n) for n in range(1, len(dataset.texts) + 1)]
    from attnviz.text.rationales import match_rationales, read_eraser

    examples = read_eraser(settings.rationales)
    if Path(data).resolve() == Path(settings.rationales).resolve():
        texts = [e.text for e in examples]
        return texts, [e.label for e in examples], [list(e.spans) for e in examples], [e.document for e in examples]
    dataset = read(data, readers, require_labels=False)
    rationales, documents = match_rationales(dataset.texts, examples)
    if not any(rationales):
        raise DataError(f"No text of {data} is one of the documents in {settings.rationales}; give matching data.")
    return list(dataset.texts), dataset.labels, rationales, documents


def _sample(
    texts: list[str], labels: list[str] | None, rationales: list[Spans] | None, documents: list[str], limit: int
) -> tuple[list[str], list[str] | None, list[Spans] | None, list[str]]:
    if len(texts) <= limit:
        return texts, labels, rationales, documents
    keep = sorted(np.random.default_rng(0).choice(len(texts), size=limit, replace=False).tolist())
    click.echo(f"Scoring a random sample of {limit:,} of the {len(texts):,} texts (--max-examples).", err=True)
    return (
        _pick(texts, keep),
        _pick(labels, keep) if labels else None,
        _pick(rationales, keep) if rationales else None,
        _pick(documents, keep),
    )


def _pick(values: list[T], keep: list[int]) -> list[T]:
    return [values[index] for index in keep]


def _write_files(card: Scorecard, settings: CardSettings, classifier: Any, documents: list[str]) -> None:
    from attnviz.writers import write_text

    if settings.output:
        from attnviz.render.scorecard import render_scorecard

        write_text(settings.output, render_scorecard(card))
        click.echo(f"Wrote the report card to {settings.output}.", err=True)
    if settings.export_eraser:
        from attnviz.eraser_export import eraser_records

        attention = card.explanations["attention"]
        records = eraser_records(attention, classifier.predict_proba, documents, classifier.classes_)
        write_text(settings.export_eraser, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        click.echo(f"Wrote {len(records):,} ERASER records to {settings.export_eraser}.", err=True)


def _print_table(card: Scorecard) -> None:
    accuracy = f"accuracy {card.accuracy:.4f}   " if card.accuracy is not None else ""
    click.echo(f"{accuracy}{card.examples:,} texts   comprehensiveness: higher is better, sufficiency: lower")
    click.echo(f"{'method':<22} {'compr. AOPC':>22} {'suff. AOPC':>22} {'tau vs attention':>17} {'seconds':>8}")
    for name, scores in card.methods.items():
        tau = scores.agreement_with_attention
        click.echo(
            f"{name:<22} {_estimate(scores.comprehensiveness_aopc):>22} {_estimate(scores.sufficiency_aopc):>22} "
            f"{_tau(tau):>17} {scores.seconds:>8.1f}"
        )


def _estimate(value: Any) -> str:
    return f"{value.mean:.3f} [{value.low:.3f}, {value.high:.3f}]"


def _tau(agreement: Any) -> str:
    if agreement is None:
        return ""
    return "n/a" if agreement.mean != agreement.mean else f"{agreement.mean:+.3f}"  # NaN: no ranking to compare

"""The options of `attnviz evaluate --faithfulness`, kept apart so the plain evaluation imports little."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from attnviz.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])
CARD_OPTIONS = ("methods", "rationales", "output", "export_eraser", "max_examples")


@dataclass(frozen=True)
class CardSettings:
    methods: list[str] | None
    rationales: str | None
    output: str | None
    export_eraser: str | None
    max_examples: int


def faithfulness_options(function: F) -> F:
    options = [
        click.option("--faithfulness", is_flag=True, help="Score how faithful each explanation method is."),
        click.option("--methods", help="With --faithfulness: methods to compare, comma-separated (default: all)."),
        click.option("--rationales", type=click.Path(), help="With --faithfulness: ERASER folder of human rationales."),
        click.option("-o", "--output", type=click.Path(), help="With --faithfulness: write the report card (.html)."),
        click.option("--export-eraser", type=click.Path(), help="With --faithfulness: predictions in ERASER format."),
        click.option(
            "--max-examples", type=click.IntRange(min=1), default=2000, show_default=True,
            help="With --faithfulness: score a seeded sample of at most this many texts.",
        ),
    ]  # fmt: skip
    for option in reversed(options):
        function = option(function)
    return function


def faithfulness_settings(options: dict[str, Any], faithfulness: bool) -> CardSettings | None:
    """Takes the card's options out of `options`; None when --faithfulness was not asked for."""
    values = {name: options.pop(name) for name in CARD_OPTIONS}
    if not faithfulness:
        given = [f"--{name.replace('_', '-')}" for name in CARD_OPTIONS[:4] if values[name] is not None]
        if given:
            raise ConfigError(f"{', '.join(given)} only go with --faithfulness; add it, or leave them out.")
        return None
    methods = values["methods"]
    return CardSettings(
        methods=[m.strip() for m in methods.split(",") if m.strip()] if methods else None,
        rationales=values["rationales"],
        output=values["output"],
        export_eraser=values["export_eraser"],
        max_examples=values["max_examples"],
    )

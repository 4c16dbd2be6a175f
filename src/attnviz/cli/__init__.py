"""The `attnviz` command line: parse, make one library call, format. Errors are one line, no traceback."""

from __future__ import annotations

import logging
from typing import Any

import click

from attnviz._version import __version__
from attnviz.errors import AttnvizError


class _Group(click.Group):
    """Turns the library's own errors into one-line messages and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AttnvizError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="attnviz")
@click.option("-v", "--verbose", is_flag=True, help="Log what the library does to stderr.")
def cli(verbose: bool) -> None:
    """Train attention text classifiers and see, word by word, what they looked at."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


def _register() -> None:
    from attnviz.cli.demo import demo
    from attnviz.cli.export import export
    from attnviz.cli.report import report
    from attnviz.cli.serve import serve
    from attnviz.cli.train import train
    from attnviz.cli.use import evaluate, explain, info, predict

    for command in (train, predict, explain, evaluate, report, serve, export, info, demo):
        cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="attnviz")

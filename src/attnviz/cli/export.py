"""`attnviz export`: a saved model as an ONNX file, for serving without PyTorch."""

from __future__ import annotations

import time
from pathlib import Path

import click

from attnviz.errors import DataError


@click.command()
@click.argument("model", type=click.Path())
@click.option(
    "--onnx", "onnx_path", type=click.Path(), required=True,
    help="The .onnx file: token ids and lengths in; probabilities and attention out.",
)  # fmt: skip
def export(model: str, onnx_path: str) -> None:
    """Export MODEL to ONNX (any batch size and text length), checked against PyTorch with onnxruntime.

    Tokenisation stays in Python: attnviz.export.encode_for_onnx gives the inputs. The file's metadata
    lists the classes in the order of the probability columns.
    """
    from attnviz.classifier import TextClassifier
    from attnviz.export import export_onnx

    if Path(onnx_path).suffix.lower() != ".onnx":
        raise DataError(f"Cannot write the model to {onnx_path}: give a file name ending in .onnx.")
    started = time.perf_counter()
    export_onnx(TextClassifier.load(model, device="cpu"), onnx_path)
    seconds = time.perf_counter() - started
    size = Path(onnx_path).stat().st_size / 1e6
    click.echo(f"Wrote {model} as ONNX to {onnx_path} ({size:.1f} MB) in {seconds:.1f} s.", err=True)

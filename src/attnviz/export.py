"""Exporting a trained classifier to ONNX, for serving without PyTorch.

The .onnx file takes `token_ids` int64 (batch, time), padded with 0, and `lengths` int64 (batch,), and
returns `probabilities` float32 (batch, classes) and `attention` float32 (batch, time): the weights the
model used, zero on padding. Batch size and length are free. The metadata entry `classes` (JSON) gives
the probability columns' order, `attnviz_version` the version that wrote it.

Tokenisation stays in Python: `encode_for_onnx(classifier, texts)` turns texts into the two inputs with
the classifier's own tokenizer and vocabulary (`TextClassifier.tokenizer_`, `vocabulary_`), exactly as
`predict_proba` and `explain` read them.

PyTorch's packed sequences do not export, so the exported network runs its RNN over the padded batch:
the forward direction is already right at every real token, and the backward direction reverses each
row within its own length, runs as a forward RNN with the reverse-direction weights and reverses back,
which gives the packed result at every real token.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from attnviz._version import __version__
from attnviz.errors import DataError, ExportError
from attnviz.inference import encode_texts
from attnviz.nn.encoder import RNN_LAYERS, RecurrentEncoder
from attnviz.nn.network import AttentionClassifierNetwork, AttentionOutput
from attnviz.nn.recurrence import reversal_order, reverse_rows
from attnviz.training.batching import pad
from attnviz.writers import write_text

if TYPE_CHECKING:
    from attnviz.classifier import TextClassifier

logger = logging.getLogger(__name__)
OPSET_VERSION = 17  # run by every onnxruntime since 1.12
TOLERANCE = 1e-4  # largest difference from PyTorch accepted in probabilities and attention
CHECK_LENGTHS = (1, 7, 0, 50, 300)  # the texts of the check batch, in tokens (cut to the model's max_length)
INSTALL_HINT = "pip install 'attnviz[onnx]'"


def export_onnx(classifier: TextClassifier, path: str | os.PathLike[str]) -> None:
    """Writes `classifier` as an ONNX model to `path`, after checking its outputs against PyTorch's
    (with onnxruntime, when it is installed)."""
    classes = classifier.classes
    onnx = _import("onnx")
    network = copy.deepcopy(classifier.network_).cpu().eval()
    model = onnx.load_from_string(_exported_bytes(OnnxClassifier(network)))
    _add_metadata(model, {"attnviz_version": __version__, "classes": json.dumps(classes)})
    content = model.SerializeToString()
    _check_outputs(network, content)
    write_text(path, content)
    logger.info("wrote %s (%d bytes, classes %s)", path, len(content), classes)


def encode_for_onnx(classifier: TextClassifier, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The exported model's inputs for `texts`: token ids (texts, time) padded with 0 and lengths (texts,)."""
    if isinstance(texts, str):
        raise DataError("Pass a list of texts, not a single string; wrap it as [text].")
    classifier.classes  # noqa: B018 -- refuses an untrained classifier
    config = classifier.network_.config
    encoded = encode_texts(texts, classifier.tokenizer_, classifier.vocabulary_, config.max_length)
    token_ids, lengths = pad(encoded.sequences)  # (texts, time), (texts,)
    return token_ids.numpy(), lengths.numpy()


class PaddedEncoder(nn.Module):
    """The network's bidirectional RNN over a padded batch; equal to the packed RNN at every real token."""

    def __init__(self, encoder: RecurrentEncoder) -> None:
        super().__init__()
        rnn = encoder.rnn
        self.embedding = encoder.embedding  # in evaluation, embedding dropout does nothing
        self.forward_layers = nn.ModuleList(_one_direction(rnn, layer, "") for layer in range(rnn.num_layers))
        self.backward_layers = nn.ModuleList(_one_direction(rnn, layer, "_reverse") for layer in range(rnn.num_layers))

    def looks_up_gates(self, token_ids: torch.Tensor) -> bool:
        return False  # the padded RNN is what the export traces

    def embed(self, token_ids: torch.Tensor) -> torch.Tensor:
        embedded: torch.Tensor = self.embedding(token_ids)  # (batch, time, embedding)
        return embedded

    def forward(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """`embedded` (batch, time, embedding), `lengths` (batch,) -> (batch, time, 2 * hidden), zero on padding."""
        order = reversal_order(lengths, embedded.shape[1])  # (batch, time)
        states = embedded
        for forward_rnn, backward_rnn in zip(self.forward_layers, self.backward_layers, strict=True):
            forwards, _ = forward_rnn(states)  # (batch, time, hidden)
            backwards, _ = backward_rnn(reverse_rows(states, order))  # (batch, time, hidden), reversed
            states = torch.cat([forwards, reverse_rows(backwards, order)], dim=-1)  # (batch, time, 2 * hidden)
        mask = torch.arange(embedded.shape[1], device=lengths.device)[None, :] < lengths[:, None]  # (batch, time)
        return states * mask[:, :, None].to(states.dtype)


def _one_direction(rnn: nn.GRU | nn.LSTM, layer: int, suffix: str) -> nn.GRU | nn.LSTM:
    """A one-layer, one-direction copy of one layer and direction of `rnn`."""
    kind = next(name for name, layer_type in RNN_LAYERS.items() if isinstance(rnn, layer_type))
    input_size = rnn.input_size if layer == 0 else 2 * rnn.hidden_size
    single = RNN_LAYERS[kind](input_size, rnn.hidden_size, batch_first=True, bias=rnn.bias)
    with torch.no_grad():
        for name, parameter in single.named_parameters():
            parameter.copy_(getattr(rnn, f"{name.removesuffix('_l0')}_l{layer}{suffix}"))
    return single.eval()


class OnnxClassifier(nn.Module):
    """`network` with its encoder swapped for the padded one: token ids and lengths -> probabilities, attention."""

    def __init__(self, network: AttentionClassifierNetwork) -> None:
        super().__init__()
        self.network = copy.deepcopy(network).eval()
        self.network.add_module("encoder", PaddedEncoder(network.encoder))

    def forward(self, token_ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        output = self.network(token_ids, lengths, return_attention=True)
        assert isinstance(output, AttentionOutput)
        return output.logits.float().softmax(-1), output.weights.float()  # (batch, classes), (batch, time)


def _exported_bytes(module: OnnxClassifier) -> bytes:
    """The TorchScript-based exporter, which writes the RNNs as ONNX GRU and LSTM operators."""
    token_ids, lengths = pad([[1, 1, 1], [1, 1]])
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the exporter's deprecation notice and tracer remarks
        path = Path(folder) / "model.onnx"
        torch.onnx.export(
            module, (token_ids, lengths), path, dynamo=False, opset_version=OPSET_VERSION,
            input_names=["token_ids", "lengths"], output_names=["probabilities", "attention"],
            dynamic_axes={
                "token_ids": {0: "batch", 1: "time"}, "lengths": {0: "batch"},
                "probabilities": {0: "batch"}, "attention": {0: "batch", 1: "time"},
            },
        )  # fmt: skip
        return path.read_bytes()


def _add_metadata(model: Any, entries: dict[str, str]) -> None:
    for key, value in entries.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value


def _check_outputs(network: AttentionClassifierNetwork, content: bytes) -> None:
    """Runs a batch of texts of several lengths, an empty one among them, through both models."""
    try:
        import onnxruntime
    except ImportError:
        logger.warning("onnxruntime is not installed, so the exported model was not checked against PyTorch")
        return
    token_ids, lengths = _check_batch(network)
    with torch.inference_mode():
        expected = network(token_ids, lengths, return_attention=True)
    assert isinstance(expected, AttentionOutput)
    session = onnxruntime.InferenceSession(content, providers=["CPUExecutionProvider"])
    probabilities, attention = session.run(None, {"token_ids": token_ids.numpy(), "lengths": lengths.numpy()})
    difference = max(
        float(np.abs(probabilities - expected.logits.float().softmax(-1).numpy()).max()),
        float(np.abs(attention - expected.weights.float().numpy()).max()),
    )
    if not difference <= TOLERANCE:
        raise ExportError(
            f"The exported model's outputs differ from PyTorch's by {difference:.1e} (more than {TOLERANCE:.0e}); "
            "please report this with the model's config.json."
        )


def _check_batch(network: AttentionClassifierNetwork) -> tuple[torch.Tensor, torch.Tensor]:
    config = network.config
    generator = torch.Generator().manual_seed(0)
    sequences = [
        torch.randint(1, config.vocabulary_size, (min(length, config.max_length),), generator=generator).tolist()
        for length in CHECK_LENGTHS
    ]
    return pad(sequences)  # (texts, time), (texts,)


def _import(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        raise ExportError(f"Exporting to ONNX needs the {name} package; install it with {INSTALL_HINT}.") from None

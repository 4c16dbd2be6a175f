"""The model folder: the only code that reads or writes it.

A folder holds small JSON files and the weights in safetensors; loading reads only these, never
unpickles and never imports anything a file names. Saving is atomic: the folder is written under
a temporary name beside the target and renamed into place, so a crash leaves the old model or the
new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from attnviz.config import ModelConfig
from attnviz.errors import AttnvizError, ModelFolderError
from attnviz.nn.network import AttentionClassifierNetwork
from attnviz.text.tokenizer import TOKENIZER_VERSION, Tokenizer
from attnviz.text.vocabulary import Vocabulary

FORMAT_VERSION = 1
WEIGHTS = "model.safetensors"
JSON_FILES = ("config.json", "labels.json", "tokenizer.json", "history.json", "meta.json")


@dataclass(frozen=True)
class SavedModel:
    """Everything a model folder holds, ready to use."""

    network: AttentionClassifierNetwork
    labels: list[str]
    tokenizer: Tokenizer
    vocabulary: Vocabulary
    history: list[dict[str, Any]]
    meta: dict[str, Any]


def save_model(folder: str | os.PathLike[str], model: SavedModel) -> Path:
    target = Path(folder)
    _check_replaceable(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as error:
        raise ModelFolderError(f"Cannot create the model folder {target}: {error.strerror or error}.") from None
    try:
        _write_contents(staging, model)
        _replace(staging, target)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError):
            raise ModelFolderError(f"Cannot write the model folder {target}: {error.strerror or error}.") from None
        raise
    return target


def _write_contents(folder: Path, model: SavedModel) -> None:
    documents: dict[str, Any] = {
        "config.json": model.network.config.to_dict(),
        "labels.json": list(model.labels),
        "tokenizer.json": {**model.tokenizer.to_dict(), **model.vocabulary.to_dict()},
        "history.json": {"epochs": model.history},
        "meta.json": {**model.meta, "format_version": FORMAT_VERSION},
    }
    for name, document in documents.items():
        _write_file(folder / name, json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False).encode())
    state = {name: tensor.detach().cpu().contiguous() for name, tensor in model.network.state_dict().items()}
    save_file(state, str(folder / WEIGHTS), metadata={"format": "pt"})
    _fsync(folder / WEIGHTS)
    _fsync(folder)


def _write_file(path: Path, payload: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _check_replaceable(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ModelFolderError(f"{target} is a file; give a folder path to save the model in.")
    if target.is_dir() and any(target.iterdir()) and not (target / "meta.json").is_file():
        raise ModelFolderError(
            f"{target} already holds files that are not an attnviz model; choose an empty or new folder."
        )


def _replace(staging: Path, target: Path) -> None:
    """Moves the finished folder into place; an older model there is removed only afterwards."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.{os.getpid()}.old")
        os.replace(target, old)
    os.replace(staging, target)
    _fsync(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def load_model(folder: str | os.PathLike[str], device: torch.device | str = "cpu") -> SavedModel:
    path = Path(folder)
    if not path.is_dir():
        raise ModelFolderError(f"No model folder at {path}; train one with `attnviz train DATA -o {path}`.")
    missing = [name for name in (*JSON_FILES, WEIGHTS) if not (path / name).is_file()]
    if missing:
        raise ModelFolderError(f"{path} is not a complete attnviz model folder: {', '.join(missing)} missing.")
    documents = {name: _read_json(path / name) for name in JSON_FILES}
    _check_format(path, documents["meta.json"])
    try:
        config = ModelConfig.from_dict(_expect(path, "config.json", documents["config.json"], dict))
        tokenizer_data = _expect(path, "tokenizer.json", documents["tokenizer.json"], dict)
        tokenizer, vocabulary = _read_tokenizer(path, tokenizer_data)
        labels = _read_labels(path, documents["labels.json"], config)
        network = AttentionClassifierNetwork(config)
    except AttnvizError:
        raise
    except (TypeError, ValueError, KeyError) as error:
        raise ModelFolderError(f"{path} has damaged settings ({error}); train or save the model again.") from None
    _load_weights(path, network)
    history = _expect(path, "history.json", documents["history.json"], dict).get("epochs", [])
    return SavedModel(network.to(device).eval(), labels, tokenizer, vocabulary, history, documents["meta.json"])


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFolderError(f"{path} is damaged (not valid JSON: {error}); save the model again.") from None


def _expect(folder: Path, name: str, value: Any, kind: type) -> Any:
    if not isinstance(value, kind):
        raise ModelFolderError(f"{folder / name} does not hold a JSON {kind.__name__}; the folder is damaged.")
    return value


def _check_format(folder: Path, meta: Any) -> None:
    version = _expect(folder, "meta.json", meta, dict).get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFolderError(
            f"{folder} uses model format version {version!r}, but this attnviz reads version {FORMAT_VERSION}; "
            "install the attnviz version that wrote it or train the model again."
        )


def _read_tokenizer(folder: Path, data: dict[str, Any]) -> tuple[Tokenizer, Vocabulary]:
    if data.get("version") != TOKENIZER_VERSION:
        raise ModelFolderError(
            f"{folder / 'tokenizer.json'} has tokenizer version {data.get('version')!r}; "
            f"this attnviz knows version {TOKENIZER_VERSION}."
        )
    return Tokenizer(lowercase=bool(data.get("lowercase", True))), Vocabulary.from_dict(data)


def _read_labels(folder: Path, labels: Any, config: ModelConfig) -> list[str]:
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ModelFolderError(f"{folder / 'labels.json'} is not a list of class names; the folder is damaged.")
    if len(labels) != config.num_classes or len(set(labels)) != len(labels):
        raise ModelFolderError(
            f"{folder / 'labels.json'} lists {len(labels)} classes but config.json says {config.num_classes}; "
            "the folder is damaged."
        )
    return labels


def _load_weights(folder: Path, network: AttentionClassifierNetwork) -> None:
    try:
        state = load_file(str(folder / WEIGHTS))
    except (SafetensorError, OSError, ValueError) as error:
        raise ModelFolderError(f"{folder / WEIGHTS} is damaged ({error}); save the model again.") from None
    expected = network.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise ModelFolderError(
            f"{folder / WEIGHTS} does not fit config.json: missing tensors {missing or 'none'}, "
            f"unexpected tensors {unexpected or 'none'}."
        )
    wrong = [name for name, tensor in state.items() if tensor.shape != expected[name].shape]
    if wrong:
        shapes = ", ".join(f"{name} {tuple(state[name].shape)} != {tuple(expected[name].shape)}" for name in wrong)
        raise ModelFolderError(f"{folder / WEIGHTS} has tensors of the wrong shape for config.json: {shapes}.")
    try:
        network.load_state_dict(state, strict=True)
    except RuntimeError as error:
        raise ModelFolderError(f"{folder / WEIGHTS} could not be loaded ({error}); save the model again.") from None


def model_sha256(folder: str | os.PathLike[str]) -> str:
    """One hash for a saved model: every file it is loaded from, by name and content, in a fixed order.

    Two folders with the same hash load into the same model; renaming or copying the folder keeps it.
    """
    path = Path(folder)
    digest = hashlib.sha256()
    for name in (*JSON_FILES, WEIGHTS):
        file = path / name
        if not file.is_file():
            raise ModelFolderError(f"{path} is not a saved attnviz model: {name} is missing.")
        digest.update(name.encode() + b"\x00" + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()

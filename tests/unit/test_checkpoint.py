from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from attnviz.checkpoint import FORMAT_VERSION, load_model
from attnviz.classifier import TextClassifier
from attnviz.errors import ModelFolderError


def copy_model(trained_folder: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(trained_folder, tmp_path / "model"))


def test_folder_holds_only_json_and_safetensors(trained_folder: Path) -> None:
    assert sorted(p.name for p in trained_folder.iterdir()) == [
        "config.json", "history.json", "labels.json", "meta.json", "model.safetensors", "tokenizer.json",
    ]  # fmt: skip
    meta = json.loads((trained_folder / "meta.json").read_text())
    assert meta["format_version"] == FORMAT_VERSION
    assert {"attnviz_version", "torch_version", "python_version", "training_data_sha256", "created"} <= set(meta)
    history = json.loads((trained_folder / "history.json").read_text())["epochs"]
    assert set(history[0]) == {
        "epoch",
        "train_loss",
        "valid_loss",
        "valid_accuracy",
        "seconds",
        "tokens_per_second",
    }


def test_round_trip_gives_identical_probabilities(classifier: TextClassifier, tmp_path: Path) -> None:
    texts = ["the food was great", "our room was awful", "", "x " * 500]
    classifier.save(tmp_path / "again")
    reloaded = TextClassifier.load(tmp_path / "again", device="cpu")
    assert (classifier.predict_proba(texts) == reloaded.predict_proba(texts)).all()


def test_unknown_format_version_is_refused_with_a_clear_message(trained_folder: Path, tmp_path: Path) -> None:
    folder = copy_model(trained_folder, tmp_path)
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "format_version": 99}))
    with pytest.raises(ModelFolderError, match=r"format version 99.*reads version 1"):
        load_model(folder)


def test_missing_file_is_named(trained_folder: Path, tmp_path: Path) -> None:
    folder = copy_model(trained_folder, tmp_path)
    (folder / "labels.json").unlink()
    with pytest.raises(ModelFolderError, match=r"labels\.json missing"):
        load_model(folder)


def test_missing_and_unexpected_tensors_are_named(trained_folder: Path, tmp_path: Path) -> None:
    folder = copy_model(trained_folder, tmp_path)
    state = load_file(str(folder / "model.safetensors"))
    state["surprise.weight"] = state.pop("output.bias")
    save_file(state, str(folder / "model.safetensors"))
    with pytest.raises(ModelFolderError, match=r"missing tensors \['output.bias'\].*unexpected tensors \['surprise"):
        load_model(folder)


def test_wrong_tensor_shape_is_named(trained_folder: Path, tmp_path: Path) -> None:
    folder = copy_model(trained_folder, tmp_path)
    state = load_file(str(folder / "model.safetensors"))
    state["output.bias"] = torch.zeros(7)
    save_file(state, str(folder / "model.safetensors"))
    with pytest.raises(ModelFolderError, match=r"output\.bias"):
        load_model(folder)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("config.json", "{not json", "not valid JSON"),
        ("model.safetensors", "garbage", "damaged"),
        ("labels.json", '["only-one"]', "lists 1 classes"),
        (
            "config.json",
            '{"rnn": "transformer", "vocabulary_size": 10, "num_classes": 3}',
            "rnn must be one of",
        ),
        ("config.json", '{"__class__": "os.system"}', "unknown settings __class__"),
    ],
)
def test_damaged_files_give_one_sentence(
    trained_folder: Path, tmp_path: Path, name: str, content: str, message: str
) -> None:
    folder = copy_model(trained_folder, tmp_path)
    (folder / name).write_text(content)
    with pytest.raises((ModelFolderError, ValueError), match=message):
        load_model(folder)


def test_missing_folder_suggests_training(tmp_path: Path) -> None:
    with pytest.raises(ModelFolderError, match=r"No model folder at .*attnviz train"):
        load_model(tmp_path / "nowhere")


def test_saving_over_a_model_replaces_it_and_leaves_no_temporary_folders(
    classifier: TextClassifier, tmp_path: Path
) -> None:
    classifier.save(tmp_path / "model")
    classifier.save(tmp_path / "model")
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_an_interrupted_save_leaves_the_previous_model_intact(
    classifier: TextClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    classifier.save(tmp_path / "model")
    before = (tmp_path / "model" / "model.safetensors").read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("attnviz.checkpoint.save_file", crash)
    with pytest.raises(KeyboardInterrupt):
        classifier.save(tmp_path / "model")
    assert (tmp_path / "model" / "model.safetensors").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_saving_into_a_folder_of_other_files_is_refused(classifier: TextClassifier, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ModelFolderError, match="not an attnviz model"):
        classifier.save(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_loading_never_unpickles(monkeypatch: pytest.MonkeyPatch, trained_folder: Path) -> None:
    import pickle

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("unpickling attempted")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(torch, "load", refuse)
    load_model(trained_folder)


def test_an_unwritable_destination_is_one_sentence(classifier: TextClassifier, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(ModelFolderError, match="Cannot create the model folder"):
        classifier.save(tmp_path / "file" / "model")

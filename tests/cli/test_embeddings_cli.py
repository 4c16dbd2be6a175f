"""`attnviz train --embeddings FILE`, run in-process with click's runner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from attnviz.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_train_starts_from_a_vectors_file_and_takes_its_width(tiny_csv: Path, tmp_path: Path) -> None:
    vectors = tmp_path / "vectors.vec"
    vectors.write_text("3 4 \ngreat 0.1 0.2 0.3 0.4 \nawful -0.1 -0.2 -0.3 -0.4 \nokay 0 0 0 1 \n", encoding="utf-8")
    result = run("train", str(tiny_csv), "-o", str(tmp_path / "m"), "--epochs", "1", "--embeddings", str(vectors))
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "m" / "config.json").read_text())["embedding_size"] == 4
    assert json.loads((tmp_path / "m" / "meta.json").read_text())["training"]["embeddings"] == str(vectors)


def test_a_missing_vectors_file_is_one_line_and_a_non_zero_exit(tiny_csv: Path, tmp_path: Path) -> None:
    missing = tmp_path / "none.vec"
    result = run("train", str(tiny_csv), "-o", str(tmp_path / "m"), "--embeddings", str(missing))
    assert result.exit_code != 0 and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert errors == [f"Error: The word vectors file {missing} does not exist; check the path."]
    assert result.output.rstrip("\n").endswith(errors[0])
    assert not (tmp_path / "m").exists()


def test_train_help_describes_the_option() -> None:
    assert "--embeddings FILE" in run("train", "--help").output


def test_train_can_start_from_word_vectors_of_the_training_texts(tiny_csv: Path, tmp_path: Path) -> None:
    result = run("train", str(tiny_csv), "-o", str(tmp_path / "m"), "--epochs", "1", "--corpus-vectors", "on")
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert meta["corpus_vectors_used"] is True and meta["training"]["corpus_vectors"] == "on"
    assert "--corpus-vectors [auto|on|off]" in run("train", "--help").output


def test_corpus_vectors_on_beside_a_vectors_file_is_one_line_and_a_non_zero_exit(
    tiny_csv: Path, tmp_path: Path
) -> None:
    vectors = tmp_path / "vectors.vec"
    result = run(
        "train", str(tiny_csv), "-o", str(tmp_path / "m"), "--embeddings", str(vectors), "--corpus-vectors", "on"
    )
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error: corpus_vectors is 'on' but embeddings names")

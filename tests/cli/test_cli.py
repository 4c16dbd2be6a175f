"""The command line, run in-process with click's runner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from attnviz.cli import cli


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


def fails_with_one_line(result: Result, *fragments: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    assert result.output.rstrip("\n").endswith(errors[0])
    for fragment in fragments:
        assert fragment in errors[0]


def test_train_writes_a_model_folder_and_reports_each_epoch(tiny_csv: Path, tmp_path: Path) -> None:
    result = run(
        "train", str(tiny_csv), "-o", str(tmp_path / "m"), "--epochs", "2",
        "--embedding-size", "8", "--hidden-size", "8", "--seed", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "epoch 1: train loss" in result.output and "epoch 2:" in result.output
    assert "Saved the model to" in result.output
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["embedding_size"] == 8 and config["hidden_size"] == 8
    assert len(json.loads((tmp_path / "m" / "history.json").read_text())["epochs"]) == 2


def test_per_class_attention_trains_with_deletion_consistency_unless_told_otherwise(
    tiny_csv: Path, tmp_path: Path
) -> None:
    common = ["--epochs", "1", "--quiet", "--embedding-size", "8", "--hidden-size", "8", "--attention", "per-class"]
    for extra, weight in [[], 1.0], [["--deletion-consistency", "0"], 0.0]:
        result = run("train", str(tiny_csv), "-o", str(tmp_path / "m"), *common, *extra)
        assert result.exit_code == 0, result.output
        meta = json.loads((tmp_path / "m" / "meta.json").read_text())
        assert meta["training"]["deletion_consistency"] == weight


def test_deletion_consistency_needs_per_class_attention(tiny_csv: Path, tmp_path: Path) -> None:
    result = run("train", str(tiny_csv), "-o", str(tmp_path / "m"), "--deletion-consistency", "0.5")
    fails_with_one_line(result, "deletion_consistency 0.5 needs attention='per-class', not 'max-class'")


def test_quiet_training_prints_no_epoch_lines(tiny_csv: Path, tmp_path: Path) -> None:
    result = run("train", str(tiny_csv), "-o", str(tmp_path / "m"), "--epochs", "1", "--quiet")
    assert result.exit_code == 0 and "epoch 1:" not in result.output and "Saved the model" in result.output


def test_predict_prints_a_table(trained_folder: Path) -> None:
    result = run("predict", str(trained_folder), "the food was great", "our room was awful")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["label", "prob", "text"]
    assert lines[1].startswith("positive") and lines[2].startswith("negative")


def test_predict_writes_jsonl_in_input_order(trained_folder: Path, tiny_csv: Path, tmp_path: Path) -> None:
    output = tmp_path / "predictions.jsonl"
    result = run("predict", str(trained_folder), "first text", "--input", str(tiny_csv), "--output", str(output))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in output.read_text().splitlines()]
    with open(tiny_csv, newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    assert [r["text"] for r in records] == ["first text", *texts]
    assert set(records[0]) == {"text", "label", "probabilities"}
    assert set(records[0]["probabilities"]) == {"negative", "neutral", "positive"}


def test_predict_writes_csv_and_reads_stdin(trained_folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "p.csv"
    result = run("predict", str(trained_folder), "--input", "-", "-o", str(output), input="so lovely\nso rude\n")
    assert result.exit_code == 0, result.output
    with open(output, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["text"] for row in rows] == ["so lovely", "so rude"]
    assert [row["label"] for row in rows] == ["positive", "negative"]
    assert {"p_negative", "p_neutral", "p_positive"} <= set(rows[0])


def test_explain_shades_words_in_the_terminal_and_respects_no_color(trained_folder: Path) -> None:
    coloured = run("explain", str(trained_folder), "the food was great", "--color", "truecolor")
    assert coloured.exit_code == 0 and "\x1b[" in coloured.output and "positive" in coloured.output
    plain = run("explain", str(trained_folder), "the food was great", env={"NO_COLOR": "1"})
    assert plain.exit_code == 0 and "\x1b[" not in plain.output and "great" in plain.output


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".html", ".csv", ".tex", ".svg", ".png", ".txt"])
def test_explain_writes_the_format_named_by_the_extension(trained_folder: Path, tmp_path: Path, suffix: str) -> None:
    output = tmp_path / f"e{suffix}"
    texts = ["the food was great", "<script>alert(1)</script> rude"]
    result = run("explain", str(trained_folder), *texts, "--output", str(output))
    assert result.exit_code == 0, result.output
    if suffix == ".png":
        assert output.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        return
    content = output.read_text()
    if suffix == ".json":
        assert [e["text"] for e in json.loads(content)] == texts
    elif suffix == ".jsonl":
        assert [json.loads(line)["text"] for line in content.splitlines()] == texts
    elif suffix == ".csv":
        rows = list(csv.DictReader(content.splitlines()))
        assert [row["token"] for row in rows if row["example"] == "0"] == ["the", "food", "was", "great"]
    elif suffix == ".tex":
        assert "\\documentclass" in content and "\\definecolor" in content and "\\textless{}" in content
    elif suffix == ".svg":
        assert content.lstrip().startswith(("<?xml", "<svg")) and "<script" not in content
    elif suffix == ".txt":
        assert "\x1b[" not in content and "great" in content
    else:
        assert "<script" not in content and "&lt;</span>" in content


def test_format_option_overrides_the_extension(trained_folder: Path, tmp_path: Path) -> None:
    output = tmp_path / "explanations.out"
    result = run("explain", str(trained_folder), "the food was great", "-o", str(output), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text())["text"] == "the food was great"


def test_report_writes_one_self_contained_file(trained_folder: Path, tiny_csv: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    result = run("report", str(trained_folder), str(tiny_csv), "-o", str(output), "--title", "Tiny <report>")
    assert result.exit_code == 0, result.output
    assert "Wrote a report of 240 texts" in result.output
    page = output.read_text()
    assert page.startswith("<!DOCTYPE html>") and "Tiny &lt;report&gt;" in page
    assert "Content-Security-Policy" in page and "https://" not in page and "http://" not in page
    assert "tiny.csv" in page


def test_report_method_option_adds_methods_side_by_side(trained_folder: Path, tmp_path: Path) -> None:
    data, output = tmp_path / "few.csv", tmp_path / "report.html"
    data.write_text("text,label\nthe food was great,positive\nrude staff,negative\n")
    args = ("--method", "gradient-x-input", "--method", "attention", "--method", "random", "--method", "random")
    result = run("report", str(trained_folder), str(data), "-o", str(output), *args)
    assert result.exit_code == 0, result.output
    page = output.read_text()
    config = json.loads(page.split('id="attnviz-config">', 1)[1].split("</script>", 1)[0])
    assert config["methods"] == ["gradient-x-input", "random"] and config["signedMethods"] == ["gradient-x-input"]
    assert "blue words support the predicted class" in page
    fails_with_one_line(run("report", str(trained_folder), str(data), "--method", "nope"), "nope")


def test_report_needs_an_html_file_name(trained_folder: Path, tiny_csv: Path, tmp_path: Path) -> None:
    fails_with_one_line(run("report", str(trained_folder), str(tiny_csv), "-o", str(tmp_path / "r.pdf")), ".html")


def test_report_refuses_labels_the_model_does_not_know(trained_folder: Path, tmp_path: Path) -> None:
    data = tmp_path / "other.csv"
    data.write_text("text,label\nthe food was great,sports\n")
    fails_with_one_line(run("report", str(trained_folder), str(data), "-o", str(tmp_path / "r.html")), "'sports'")


def test_evaluate_json_has_the_metrics(trained_folder: Path, tiny_csv: Path) -> None:
    result = run("evaluate", str(trained_folder), str(tiny_csv), "--json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["accuracy"] > 0.9 and {"macro_f1", "per_class", "confusion_matrix"} <= set(report)


def test_evaluate_prints_a_readable_table(trained_folder: Path, tiny_csv: Path) -> None:
    result = run("evaluate", str(trained_folder), str(tiny_csv))
    assert result.exit_code == 0 and result.output.startswith("accuracy ") and "precision" in result.output


def test_info_describes_the_model(trained_folder: Path) -> None:
    result = run("info", str(trained_folder))
    assert result.exit_code == 0
    assert "negative, neutral, positive" in result.output and "GRU" in result.output
    assert json.loads(run("info", str(trained_folder), "--json").output)["classes"] == [
        "negative",
        "neutral",
        "positive",
    ]


def test_every_command_has_help() -> None:
    for name, command in cli.commands.items():
        result = run(name, "--help")
        first_words = " ".join((command.help or "").split()[:5])
        assert result.exit_code == 0 and first_words and first_words in " ".join(result.output.split())


# -- errors: one sentence, non-zero exit, no traceback -----------------------------------------------


def test_missing_model_folder(tmp_path: Path) -> None:
    fails_with_one_line(run("predict", str(tmp_path / "none"), "x"), "No model folder at")


def test_damaged_model_folder(trained_folder: Path, tmp_path: Path) -> None:
    import shutil

    folder = Path(shutil.copytree(trained_folder, tmp_path / "m"))
    (folder / "model.safetensors").write_bytes(b"\x00" * 10)
    fails_with_one_line(run("explain", str(folder), "x"), "damaged")


def test_empty_training_file(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    fails_with_one_line(run("train", str(tmp_path / "empty.csv"), "-o", str(tmp_path / "m")), "empty")


def test_header_only_training_file(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("text,label\n")
    fails_with_one_line(run("train", str(tmp_path / "h.csv"), "-o", str(tmp_path / "m")), "h.csv")


def test_missing_column_lists_the_columns(tiny_csv: Path, tmp_path: Path) -> None:
    result = run("train", str(tiny_csv), "-o", str(tmp_path / "m"), "--text-column", "review")
    fails_with_one_line(result, "review", "text, label")


def test_one_class_only(tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_text("text,label\ngood,pos\nfine,pos\n")
    fails_with_one_line(run("train", str(tmp_path / "one.csv"), "-o", str(tmp_path / "m")), "only one class")


def test_unknown_label_at_evaluation(trained_folder: Path, tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("text,label\ngood,mystery\n")
    fails_with_one_line(run("evaluate", str(trained_folder), str(tmp_path / "t.csv")), "mystery")


def test_undecodable_bytes_name_the_line_and_suggest_encoding(tmp_path: Path) -> None:
    (tmp_path / "l1.csv").write_bytes("text,label\ngood,pos\ncaf\xe9 bad,neg\n".encode("latin-1"))
    fails_with_one_line(run("train", str(tmp_path / "l1.csv"), "-o", str(tmp_path / "m")), "line 3", "--encoding")


def test_bad_row_names_file_and_line_and_skip_counts_it(tmp_path: Path) -> None:
    rows = "text,label\n" + "".join(f"good {i},pos\nbad {i},neg\n" for i in range(10)) + "a,b,c\n"
    (tmp_path / "bad.csv").write_text(rows)
    fails_with_one_line(run("train", str(tmp_path / "bad.csv"), "-o", str(tmp_path / "m")), "bad.csv", "line 22")
    result = run("train", str(tmp_path / "bad.csv"), "-o", str(tmp_path / "m"), "--bad-rows", "skip", "--epochs", "1")
    assert result.exit_code == 0 and "Skipped 1 malformed rows" in result.output


def test_no_texts_to_predict(trained_folder: Path) -> None:
    fails_with_one_line(run("predict", str(trained_folder)), "No texts given")


def test_unknown_output_extension(trained_folder: Path, tmp_path: Path) -> None:
    fails_with_one_line(
        run("explain", str(trained_folder), "x", "-o", str(tmp_path / "e.docx")), ".json, .jsonl, .html, .csv"
    )


def test_bad_setting_value(tiny_csv: Path, tmp_path: Path) -> None:
    fails_with_one_line(run("train", str(tiny_csv), "-o", str(tmp_path / "m"), "--dropout", "1.5"), "dropout")


def test_python_dash_m_runs_the_cli() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "attnviz", "--version"], capture_output=True, text=True, check=True)
    assert "attnviz" in result.stdout


def test_demo_trains_shows_heatmaps_and_writes_a_page_and_a_report(tmp_path: Path) -> None:
    result = run("demo", "-o", str(tmp_path / "demo"), "--quiet")
    assert result.exit_code == 0, result.output
    assert "Training on 1,488 built-in reviews" in result.output and "top:" in result.output
    assert "Wrote a report of the 372 reviews held out from training" in result.output
    assert (tmp_path / "demo" / "model" / "model.safetensors").is_file()
    report = (tmp_path / "demo" / "report.html").read_text()
    assert "attnviz demo: held-out reviews" in report and "built-in reviews (held out)" in report


def test_explain_shows_several_methods_text_by_text(trained_folder: Path, tmp_path: Path) -> None:
    result = run("explain", str(trained_folder), "The food was great", "--method", "attention",
                 "--method", "leave-one-out", "--color", "none")  # fmt: skip
    assert result.exit_code == 0, result.output
    headers = [line for line in result.output.splitlines() if line.startswith("predicted:")]
    assert len(headers) == 2 and headers[1].endswith("(weights by leave-one-out; blue for the prediction, red against)")
    page = tmp_path / "both.html"
    run(
        "explain",
        str(trained_folder),
        "a",
        "b",
        "--method",
        "gradient-x-input",
        "--method",
        "attention",
        "-o",
        str(page),
    )
    html = page.read_text(encoding="utf-8")  # one block per text, a row per method
    assert html.count("2 methods side by side") == 2
    assert html.count('data-method="gradient-x-input"') == 2 and html.count('data-method="attention"') == 2
    lines = tmp_path / "both.jsonl"
    run("explain", str(trained_folder), "a", "b", "--method", "random", "--method", "uniform", "-o", str(lines))
    methods = [json.loads(line)["method"] for line in lines.read_text(encoding="utf-8").splitlines()]
    assert methods == ["random", "uniform", "random", "uniform"]
    fails_with_one_line(run("explain", str(trained_folder), "a", "--method", "saliency"), "saliency")


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".txt"])
def test_explaining_a_file_in_many_chunks_writes_every_text_in_order(
    trained_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    import attnviz.inference

    monkeypatch.setattr(attnviz.inference, "CHUNK_SIZE", 2)  # streamed a chunk at a time
    texts = [f"review {number}: the food was {'great' if number % 2 else 'awful'}" for number in range(7)]
    (tmp_path / "in.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
    output = tmp_path / f"out{suffix}"
    result = run("explain", str(trained_folder), "--input", str(tmp_path / "in.txt"), "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "Wrote 7 explanations" in result.output
    content = output.read_text(encoding="utf-8")
    if suffix == ".jsonl":
        assert [json.loads(line)["text"] for line in content.splitlines()] == texts
    elif suffix == ".csv":
        rows = list(csv.DictReader(content.splitlines()))
        assert sorted({int(row["example"]) for row in rows}) == list(range(7))
        assert [name for name in rows[0] if name.startswith("weight_")] == [
            "weight_negative", "weight_neutral", "weight_positive",
        ]  # fmt: skip
    else:
        assert [content.find(f"review {number}") for number in range(7)] == sorted(
            content.find(f"review {number}") for number in range(7)
        )


def test_explaining_a_json_lines_file_streams_it_with_methods_in_step_and_counts_bad_rows(
    trained_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attnviz.inference
    import attnviz.text.streaming

    monkeypatch.setattr(attnviz.inference, "CHUNK_SIZE", 2)
    monkeypatch.setattr(attnviz.text.streaming, "BLOCK_LINES", 3)
    texts = [f"the food was {'great' if number % 2 else 'awful'} ({number})" for number in range(7)]
    lines = [json.dumps({"review": text}) for text in texts]
    (tmp_path / "in.jsonl").write_text("\n".join([*lines[:4], "[1]", *lines[4:]]) + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    result = run("explain", str(trained_folder), "first", "--input", str(tmp_path / "in.jsonl"), "-o", str(output),
                 "--method", "attention", "--method", "uniform", "--bad-rows", "skip")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Wrote 16 explanations" in result.output and "Skipped 1 malformed rows of" in result.output
    written = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [record["text"] for record in written[::2]] == ["first", *texts]
    assert [record["text"] for record in written[1::2]] == ["first", *texts]
    assert {record["method"] for record in written[1::2]} == {"uniform"}
    failed = run("explain", str(trained_folder), "--input", str(tmp_path / "in.jsonl"), "-o", str(output))
    fails_with_one_line(failed, "line 5: the line holds a JSON array")
    assert not output.exists() or output.read_text(encoding="utf-8").count("\n") == 16


def test_predicting_a_file_streams_it_a_chunk_at_a_time_and_counts_bad_rows(
    trained_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attnviz.inference
    import attnviz.text.streaming
    import attnviz.writers
    from attnviz.classifier import TextClassifier

    monkeypatch.setattr(attnviz.inference, "CHUNK_SIZE", 2)
    monkeypatch.setattr(attnviz.text.streaming, "BLOCK_LINES", 3)
    monkeypatch.setattr(attnviz.writers, "_CSV_PIECE", 10)
    chunks: list[int] = []
    predict_proba = TextClassifier.predict_proba
    monkeypatch.setattr(
        TextClassifier, "predict_proba", lambda self, texts: chunks.append(len(texts)) or predict_proba(self, texts)
    )
    texts = [f"the food was {'great' if number % 2 else 'awful'} ({number})" for number in range(7)]
    lines = [json.dumps({"review": text}) for text in texts]
    (tmp_path / "in.jsonl").write_text("\n".join([*lines[:4], "[1]", *lines[4:]]) + "\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    result = run("predict", str(trained_folder), "first", "--input", str(tmp_path / "in.jsonl"), "-o", str(output),
                 "--bad-rows", "skip")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Wrote 8 predictions" in result.output and "Skipped 1 malformed rows of" in result.output
    assert chunks == [2, 2, 2, 2]
    with open(output, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["text"] for row in rows] == ["first", *texts]
    assert [row["label"] for row in rows[2:4]] == ["positive", "negative"]

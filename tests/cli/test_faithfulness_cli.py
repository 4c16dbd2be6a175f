"""`attnviz evaluate --faithfulness`, in-process."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from attnviz.explain import METHODS
from attnviz.metrics.plausibility import runs
from tests.cli.test_cli import fails_with_one_line, run
from tests.unit.test_render_html import Parsed


@pytest.fixture(scope="module")
def card_files(trained_folder: Path, tiny_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("card")
    paths = {"html": folder / "card.html", "eraser": folder / "eraser.jsonl", "json": folder / "card.json"}
    result = run(
        "evaluate", str(trained_folder), str(tiny_csv), "--faithfulness", "--json", "--max-examples", "40",
        "-o", str(paths["html"]), "--export-eraser", str(paths["eraser"]),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    paths["json"].write_text(result.stdout, encoding="utf-8")
    assert "Scoring a random sample of 40 of the 240 texts" in result.stderr
    return paths


def test_json_has_every_methods_aopc_keyed_by_name(card_files: dict[str, Path]) -> None:
    card = json.loads(card_files["json"].read_text(encoding="utf-8"))
    assert card["examples"] == 40 and 0.9 <= card["accuracy"] <= 1.0
    assert list(card["methods"]) == list(METHODS)
    for scores in card["methods"].values():
        low, high = scores["sufficiency_aopc_ci"]
        assert low <= scores["sufficiency_aopc"] <= high
        assert len(scores["deletion_curve"]) == 11
    assert (
        card["methods"]["leave-one-out"]["comprehensiveness_aopc"] > card["methods"]["random"]["comprehensiveness_aopc"]
    )
    assert card["methods"]["uniform"]["kendall_tau_with_attention"]["mean"] is None  # no ranking: null, not NaN
    assert set(card["jain_wallace"]) == {"gradient (attention detached)", "leave-one-out"}
    assert math.isfinite(card["attention"]["permutation_median_change"])


def test_html_card_is_sealed_and_shows_the_examples_side_by_side(card_files: dict[str, Path]) -> None:
    page = card_files["html"].read_text(encoding="utf-8")
    parsed = Parsed(page)
    assert "<script" not in page and "Content-Security-Policy" in page
    assert "Is attention an explanation?" in page and "<polyline" in page
    assert len(parsed.texts) == 8 * len(METHODS)  # eight texts, one heatmap per method each
    assert page.count("Deletion check: without its top attended words") == 8


def test_eraser_export_has_one_record_per_text_with_spans_in_whitespace_tokens(card_files: dict[str, Path]) -> None:
    records = [json.loads(line) for line in card_files["eraser"].read_text(encoding="utf-8").splitlines()]
    assert len(records) == 40
    record = records[0]
    assert set(record) >= {"annotation_id", "rationales", "classification", "classification_scores",
                           "comprehensiveness_classification_scores", "sufficiency_classification_scores",
                           "thresholded_scores"}  # fmt: skip
    rationale = record["rationales"][0]
    assert rationale["hard_rationale_predictions"] and all(
        span["start_token"] < span["end_token"] for span in rationale["hard_rationale_predictions"]
    )
    assert [t["threshold"] for t in record["thresholded_scores"]] == [0.01, 0.05, 0.1, 0.2, 0.5]
    assert runs([True]) == [range(0, 1)]


def test_eraser_rationales_add_plausibility(trained_folder: Path, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    lines = []
    for number, (text, cue) in enumerate(
        [("the food was great", 3), ("the staff were rude", 3), ("this film is okay", 3)]
    ):
        (tmp_path / "docs" / f"d{number}.txt").write_text(text, encoding="utf-8")
        evidence = [[{"docid": f"d{number}.txt", "start_token": cue, "end_token": cue + 1}]]
        lines.append(json.dumps({"annotation_id": f"d{number}.txt", "classification": "x", "evidences": evidence}))
    (tmp_path / "test.jsonl").write_text("\n".join(lines), encoding="utf-8")
    result = run("evaluate", str(trained_folder), str(tmp_path), "--faithfulness", "--rationales", str(tmp_path),
                 "--methods", "attention,leave-one-out", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert list(card["methods"]) == ["attention", "leave-one-out"]
    assert card["methods"]["leave-one-out"]["plausibility"]["token_f1"] == pytest.approx(1.0)  # the cue word each time
    assert card["methods"]["attention"]["plausibility"]["examples"] == 3


def test_card_options_need_faithfulness_and_known_methods(trained_folder: Path, tiny_csv: Path) -> None:
    fails_with_one_line(
        run("evaluate", str(trained_folder), str(tiny_csv), "--methods", "gradient"),
        "--methods only go with --faithfulness",
    )
    fails_with_one_line(
        run("evaluate", str(trained_folder), str(tiny_csv), "--faithfulness", "--methods", "attention,saliency"),
        "Unknown explanation method 'saliency'",
    )

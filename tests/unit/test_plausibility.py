from __future__ import annotations

import json
from pathlib import Path

import pytest

from attnviz.errors import DataError
from attnviz.explanation import Explanation, TokenWeight
from attnviz.metrics.plausibility import average_precision, gold_tokens, plausibility, runs
from attnviz.text.rationales import RationaleExample, match_rationales, read_eraser


def letters(weights: list[float]) -> Explanation:
    text = " ".join("abcde"[: len(weights)])
    tokens = [TokenWeight(text[2 * i], 2 * i, 2 * i + 1, weight) for i, weight in enumerate(weights)]
    return Explanation(text, "pos", {"neg": 0.1, "pos": 0.9}, tokens)


def test_plausibility_by_hand() -> None:
    gold = [[(2, 5)]]  # "b c"
    near = letters([0.9, 0.8, 0.1, 0.7, 0.0])  # picks a, b: half right; spans {a,b} vs {b,c}: IOU 1/3
    exact = letters([0.0, 0.9, 0.8, 0.0, 0.0])
    assert gold_tokens(near, gold[0]) == [False, True, True, False, False]
    one = plausibility([near], gold)
    assert (one.token_precision, one.token_recall, one.token_f1, one.iou_f1) == pytest.approx((0.5, 0.5, 0.5, 0.0))
    assert one.auprc == pytest.approx(0.5 * 0.5 + 0.5 * 0.5)  # hits at ranks 2 and 4
    both = plausibility([near, exact, letters([1.0])], [gold[0], gold[0], []])
    assert both.examples == 2  # no gold tokens: left out
    assert (both.token_f1, both.iou_f1, both.auprc) == pytest.approx((0.75, 0.5, 0.75))


def test_average_precision_lets_tied_scores_enter_together() -> None:
    assert average_precision([1.0, 1.0, 0.0], [True, False, False]) == pytest.approx(0.5)
    assert average_precision([0.1, 0.9, 0.5], [False, True, True]) == pytest.approx(1.0)


def test_runs_are_maximal() -> None:
    assert runs([True, True, False, True]) == [range(0, 2), range(3, 4)]
    assert runs([]) == []


def write_eraser(folder: Path, annotation: str) -> Path:
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "d1.txt").write_text("a fine film .\nreally fine", encoding="utf-8")
    (folder / "docs" / "d2.txt").write_text("nothing marked", encoding="utf-8")
    (folder / "test.jsonl").write_text(annotation, encoding="utf-8")
    return folder


def test_eraser_spans_become_character_spans(tmp_path: Path) -> None:
    evidence = [
        [{"docid": "d1.txt", "start_token": 1, "end_token": 3}],
        [{"docid": "d1.txt", "start_token": 5, "end_token": 6}],
    ]
    lines = [
        json.dumps({"annotation_id": "d1.txt", "classification": "POS", "evidences": evidence}),
        json.dumps({"annotation_id": "d2.txt", "classification": "NEG", "evidences": []}),
    ]
    examples = read_eraser(write_eraser(tmp_path, "\n".join(lines)))
    assert len(examples) == 1 and examples[0].label == "POS"
    assert [examples[0].text[start:end] for start, end in examples[0].spans] == ["fine film", "fine"]


def test_a_broken_eraser_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"is not an ERASER data folder: it needs test\.jsonl and a docs folder"):
        read_eraser(tmp_path)
    folder = write_eraser(
        tmp_path / "bad",
        '{"annotation_id": "d1.txt", "classification": "POS", "evidences": [[{"start_token": 99, "end_token": 100}]]}',
    )
    with pytest.raises(DataError, match=r"test.jsonl, line 1: not a readable ERASER annotation"):
        read_eraser(folder)
    with pytest.raises(DataError, match="An ERASER split is one of train, val, test, not 'dev'"):
        read_eraser(folder, "dev")


def test_rationales_match_texts_that_differ_only_in_trailing_whitespace() -> None:
    document = RationaleExample("d1.txt", "a fine film .\n", "POS", ((2, 6),))
    spans, names = match_rationales(["a fine film .", " a fine film .", "other"], [document])
    assert spans == [[(2, 6)], [], []]  # leading space would shift every span: no match
    assert names == ["d1.txt", "2", "3"]

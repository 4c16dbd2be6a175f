"""Writing explanations to files: streamed formats equal the whole-file ones, and no half files."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy
import pytest

from attnviz.errors import DataError
from attnviz.explanation import Explanation, TokenWeight
from attnviz.writers import STREAMED_FORMATS, format_explanations, stream_explanations, write_pieces


def explanation(text: str, weight: float) -> Explanation:
    tokens = [TokenWeight(word, text.index(word), text.index(word) + len(word), weight, {"pos": weight, "neg": 0.1})
              for word in text.split()]  # fmt: skip
    return Explanation(text, "pos", {"pos": 0.9, "neg": 0.1}, tokens)


EXPLANATIONS = [explanation("great food", 0.5), explanation('=rude, "slow"\nstaff', 0.25), explanation("", 0.0)]


@pytest.mark.parametrize("file_format", STREAMED_FORMATS)
def test_streamed_formats_equal_the_whole_file_formats(file_format: str) -> None:
    streamed = "".join(stream_explanations(iter(EXPLANATIONS), file_format, ["pos", "neg"]))
    assert streamed == format_explanations(EXPLANATIONS, file_format)


def test_no_explanations_stream_nothing_or_just_the_header_with_the_models_classes() -> None:
    assert "".join(stream_explanations(iter([]), "jsonl", ["pos", "neg"])) == ""
    assert "".join(stream_explanations(iter([]), "txt", ["pos", "neg"])) == ""
    header = "".join(stream_explanations(iter([]), "csv", ["pos", "neg"]))
    assert header == "example,token_index,token,start,end,weight,shade,colour,weight_pos,weight_neg\r\n"


def test_streaming_hands_out_each_explanation_before_reading_the_next() -> None:
    read = []

    def source() -> Iterator[Explanation]:
        for item in EXPLANATIONS:
            read.append(item)
            yield item

    pieces = stream_explanations(source(), "jsonl", ["pos", "neg"])
    assert '"great food"' in next(pieces) and len(read) == 1


def test_a_failure_mid_stream_leaves_neither_the_file_nor_a_temporary(tmp_path: Path) -> None:
    def pieces() -> Iterator[str]:
        yield "first line\n"
        raise DataError("Text 2 is too long for leave-one-out.")

    target = tmp_path / "out.jsonl"
    with pytest.raises(DataError, match="too long"):
        write_pieces(target, pieces())
    assert list(tmp_path.iterdir()) == []


def test_writing_into_a_missing_folder_names_it(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"the folder .*missing does not exist"):
        write_pieces(tmp_path / "missing" / "out.jsonl", ["x"])


def test_json_lines_and_json_read_back_as_the_explanations_dicts() -> None:
    lines = format_explanations(EXPLANATIONS, "jsonl")
    assert isinstance(lines, str)
    assert [json.loads(line) for line in lines.splitlines()] == [e.to_dict() for e in EXPLANATIONS]
    assert json.loads(format_explanations(EXPLANATIONS, "json")) == [e.to_dict() for e in EXPLANATIONS]


def test_json_keeps_text_unescaped_exact_numbers_and_turns_nan_into_null() -> None:
    odd = Explanation(
        "héllo 日本", "pos", {"pos": numpy.float32(0.75), "neg": 0.25},
        [TokenWeight("héllo", 0, 5, math.nan), TokenWeight("日本", 6, 8, 0.1 + 0.2, {"pos": math.inf, "neg": 0.0})],
    )  # fmt: skip
    text = odd.to_json()
    assert "héllo 日本" in text and "\\u" not in text
    data = json.loads(text)
    assert data["probabilities"] == {"pos": 0.75, "neg": 0.25}
    assert data["tokens"][0]["weight"] is None and data["tokens"][0]["class_weights"] == {}
    assert data["tokens"][1]["weight"] == 0.1 + 0.2 and data["tokens"][1]["class_weights"]["pos"] is None


def test_to_dict_copies_the_weights_so_changing_it_leaves_the_explanation_alone() -> None:
    record = EXPLANATIONS[0].to_dict()
    record["tokens"][0]["class_weights"]["pos"] = 99.0
    record["probabilities"]["pos"] = 99.0
    assert EXPLANATIONS[0].tokens[0].class_weights["pos"] == 0.5 and EXPLANATIONS[0].probabilities["pos"] == 0.9

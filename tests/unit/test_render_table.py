"""Token CSV: one row per token, exact numbers, the shared colours, and no spreadsheet formulas."""

from __future__ import annotations

import csv
import io

import pytest

from attnviz.explanation import Explanation, TokenWeight
from attnviz.render.colors import hex_colour, normalise, shade
from attnviz.render.table import render_token_csv


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def words(text: str, weights: list[float], **class_weights: list[float]) -> Explanation:
    tokens, start = [], 0
    for index, (word, weight) in enumerate(zip(text.split(" "), weights, strict=True)):
        per_class = {name: values[index] for name, values in class_weights.items()}
        tokens.append(TokenWeight(word, start, start + len(word), weight, per_class))
        start += len(word) + 1
    return Explanation(text, "pos", {"pos": 0.7, "neg": 0.3}, tokens)


def test_header_lists_fixed_columns_then_one_weight_column_per_class_in_order() -> None:
    first = words("a b", [0.5, 0.5])
    second = Explanation("c", "mid", {"neg": 0.2, "mid": 0.8}, [TokenWeight("c", 0, 1, 1.0)])
    header = render_token_csv([first, second]).splitlines()[0]
    assert header == "example,token_index,token,start,end,weight,shade,colour,weight_pos,weight_neg,weight_mid"


def test_one_row_per_token_with_exact_weights_and_shared_colours() -> None:
    explanation = words("slow plot great acting", [0.1, 1 / 3, 0.9, 0.0], pos=[0.2, 0.3, 0.4, 0.1])
    table = rows(render_token_csv([explanation]))
    assert [row["token"] for row in table] == ["slow", "plot", "great", "acting"]
    assert [float(row["weight"]) for row in table] == [0.1, 1 / 3, 0.9, 0.0]
    values = normalise(explanation, "max")
    assert [float(row["shade"]) for row in table] == values
    assert [row["colour"] for row in table] == [hex_colour(shade(v)) for v in values]
    assert [float(row["weight_pos"]) for row in table] == [0.2, 0.3, 0.4, 0.1]
    assert [row["weight_neg"] for row in table] == ["", "", "", ""]  # not given by the method: empty, not 0
    assert [(row["start"], row["end"]) for row in table][1] == ("5", "9")


def test_fixed_scale_shade_is_the_clipped_raw_weight() -> None:
    table = rows(render_token_csv([words("a b", [0.25, 1.5])], scale="fixed"))
    assert [row["shade"] for row in table] == ["0.25", "1.0"]


def test_examples_are_numbered_in_order() -> None:
    table = rows(render_token_csv([words("a", [1.0]), words("b c", [0.5, 0.5])]))
    assert [(row["example"], row["token_index"]) for row in table] == [("0", "0"), ("1", "0"), ("1", "1")]


@pytest.mark.parametrize("token", ["=SUM(A1:A9)", "+1", "-2", "@cmd", "\tx", "\rx"])
def test_formula_like_tokens_get_a_leading_quote(token: str) -> None:
    explanation = Explanation(token, "a", {"a": 1.0}, [TokenWeight(token, 0, len(token), 1.0)])
    assert rows(render_token_csv([explanation]))[0]["token"] == "'" + token


def test_ordinary_tokens_and_quotes_commas_newlines_round_trip() -> None:
    token = 'say "hi", then\nleave'
    explanation = Explanation(token, "a", {"a": 1.0}, [TokenWeight(token, 0, len(token), 1.0)])
    assert rows(render_token_csv([explanation]))[0]["token"] == token


def test_no_explanations_give_just_the_header() -> None:
    assert render_token_csv([]) == "example,token_index,token,start,end,weight,shade,colour\r\n"


def test_bad_scale_is_rejected() -> None:
    with pytest.raises(ValueError, match="scale"):
        render_token_csv([], scale="log")  # type: ignore[arg-type]

"""The shared colour model: monotone darkness, readable text on every shade, robust normalisation."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attnviz.explanation import Explanation, TokenWeight
from attnviz.render.colors import (
    BLACK,
    WHITE,
    contrast_ratio,
    hex_colour,
    normalise,
    normalise_signed,
    normalise_weights,
    relative_luminance,
    shade,
    shade_signed,
    text_colour,
    top_tokens,
)

VALUES = [i / 100 for i in range(101)]


def explanation_with(weights: list[float]) -> Explanation:
    words = [f"w{i}" for i in range(len(weights))]
    text = " ".join(words)
    tokens, start = [], 0
    for word, weight in zip(words, weights, strict=True):
        tokens.append(TokenWeight(word, start, start + len(word), weight))
        start += len(word) + 1
    return Explanation(text, "a", {"a": 1.0}, tokens)


def test_luminance_strictly_decreases_as_value_grows() -> None:
    luminances = [relative_luminance(shade(v)) for v in VALUES]
    assert all(later < earlier for earlier, later in itertools.pairwise(luminances))


def test_palette_runs_from_near_white_to_dark() -> None:
    assert relative_luminance(shade(0.0)) > 0.9
    assert relative_luminance(shade(1.0)) < 0.05


@pytest.mark.parametrize("dark", [False, True])
def test_every_shade_has_text_colour_with_wcag_aa_contrast(dark: bool) -> None:
    for value in VALUES:
        background = shade(value, dark=dark)
        assert contrast_ratio(background, text_colour(background)) >= 4.5, value


def test_dark_palette_brightens_with_attention_and_starts_near_the_page() -> None:
    luminances = [relative_luminance(shade(v, dark=True)) for v in VALUES]
    assert all(later > earlier for earlier, later in itertools.pairwise(luminances))
    assert luminances[0] < 0.03 and text_colour(shade(1.0, dark=True)) == WHITE


def test_shade_clips_out_of_range_and_nan_values() -> None:
    assert shade(-3.0) == shade(0.0)
    assert shade(7.0) == shade(1.0)
    assert shade(math.nan) == shade(0.0)


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, BLACK) == pytest.approx(21.0)
    assert contrast_ratio((118, 118, 118), WHITE) == pytest.approx(4.54, abs=0.01)


def test_text_colour_is_white_on_dark_and_black_on_light() -> None:
    assert text_colour(shade(1.0)) == WHITE
    assert text_colour(shade(0.0)) == BLACK


def test_hex_colour_formats_lowercase_six_digits() -> None:
    assert hex_colour((8, 48, 107)) == "#08306b"
    assert hex_colour((0, 0, 0)) == "#000000"


def test_normalise_max_makes_the_largest_weight_one() -> None:
    assert normalise(explanation_with([0.1, 0.4, 0.2])) == pytest.approx([0.25, 1.0, 0.5])


def test_normalise_fixed_clips_raw_weights() -> None:
    assert normalise(explanation_with([-0.5, 0.3, 1.5]), "fixed") == [0.0, 0.3, 1.0]


def test_normalise_empty_text_gives_empty_list() -> None:
    assert normalise(Explanation("", "a", {"a": 1.0}, [])) == []
    assert normalise(Explanation("", "a", {"a": 1.0}, []), "fixed") == []


@pytest.mark.parametrize("scale", ["max", "fixed"])
def test_normalise_zero_weights_gives_zeros_without_dividing_by_zero(scale: str) -> None:
    assert normalise(explanation_with([0.0, 0.0, 0.0]), scale) == [0.0, 0.0, 0.0]  # type: ignore[arg-type]


def test_normalise_constant_weights_gives_equal_finite_values() -> None:
    values = normalise(explanation_with([0.25] * 4))
    assert values == [1.0] * 4


def test_normalise_rejects_unknown_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        normalise_weights([0.1], "log")  # type: ignore[arg-type]


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True)), st.sampled_from(["max", "fixed"]))
def test_normalise_always_returns_finite_values_in_unit_interval(weights: list[float], scale: str) -> None:
    values = normalise_weights(weights, scale)  # type: ignore[arg-type]
    assert len(values) == len(weights)
    assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values)


def test_normalise_uses_class_weights_for_a_view() -> None:
    tokens = [TokenWeight("a", 0, 1, 0.9, {"x": 0.1}), TokenWeight("b", 2, 3, 0.1, {"x": 0.2})]
    explanation = Explanation("a b", "x", {"x": 1.0}, tokens)
    assert normalise(explanation, view="x") == pytest.approx([0.5, 1.0])
    assert normalise(explanation, view="missing") == [0.0, 0.0]


def test_top_tokens_orders_by_weight_then_position() -> None:
    explanation = explanation_with([0.1, 0.3, 0.3, math.nan, 0.2])
    assert top_tokens(explanation, 3) == [("w1", 0.3), ("w2", 0.3), ("w4", 0.2)]
    assert top_tokens(explanation, 0) == []


def test_signed_shades_run_red_to_white_to_blue_with_readable_text() -> None:
    assert shade_signed(-1.0) == (0xB2, 0x18, 0x2B) and shade_signed(1.0) == (0x21, 0x66, 0xAC)
    assert shade_signed(0.0) == (0xF7, 0xF7, 0xF7) and shade_signed(math.nan) == shade_signed(0.0)
    assert shade_signed(5.0) == shade_signed(1.0)
    for value in [2 * v - 1 for v in VALUES]:
        background = shade_signed(value)
        assert contrast_ratio(background, text_colour(background)) >= 4.5, value


def test_signed_weights_are_scaled_by_the_largest_absolute_weight() -> None:
    assert normalise_signed([-0.2, 0.0, 0.4, math.inf]) == [-0.5, 0.0, 1.0, 0.0]
    assert normalise_signed([0.0, 0.0]) == [0.0, 0.0] and normalise_signed([]) == []

"""Terminal output: colour modes, NO_COLOR, inert control characters, the truncation marker."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attnviz.explanation import Explanation, TokenWeight
from attnviz.render.colors import contrast_ratio, shade, text_colour
from attnviz.render.terminal import _nearest_256, describe_weights, escape_controls, render_terminal

OUR_SGR = re.compile(r"\x1b\[(?:0|2|[34]8;2;\d+;\d+;\d+|[34]8;5;\d+)m")
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def explain(text: str, truncate_after: int | None = None, **kwargs: object) -> Explanation:
    matches = list(re.finditer(r"\S+", text))[:truncate_after]
    tokens = [TokenWeight(m.group(), m.start(), m.end(), (i + 1) / 10) for i, m in enumerate(matches)]
    fields: dict[str, object] = {"label": "pos", "probabilities": {"pos": 0.75, "neg": 0.25}}
    fields.update(kwargs)
    return Explanation(text, tokens=tokens, truncated=truncate_after is not None, **fields)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "COLORTERM", "TERM"):
        monkeypatch.delenv(name, raising=False)


def test_no_color_environment_variable_disables_escape_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLORTERM", "truecolor")
    output = render_terminal(explain("a fine film"))
    assert "\x1b" not in output
    assert "top: film 0.300" in output


def test_empty_no_color_does_not_disable_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "")
    assert "\x1b[48;5;" in render_terminal(explain("a fine film"))


def test_auto_uses_truecolor_when_colorterm_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "24bit")
    assert "48;2;" in render_terminal(explain("a fine film"))


def test_auto_renders_plain_text_for_a_stream_that_is_not_a_tty_and_does_not_write_to_it() -> None:
    stream = io.StringIO()
    output = render_terminal(explain("a fine film"), color="auto", stream=stream)
    assert stream.getvalue() == "" and "\x1b[" not in output
    assert "\x1b" not in output


def test_truecolor_and_256_modes_use_their_sequences() -> None:
    assert "48;2;" in render_terminal(explain("a fine film"), color="truecolor")
    output_256 = render_terminal(explain("a fine film"), color="256")
    assert "48;5;" in output_256 and "48;2;" not in output_256


def test_header_names_prediction_and_probabilities() -> None:
    header = render_terminal(explain("a fine film"), color="none").splitlines()[0]
    assert header == "predicted: pos (0.750)  |  pos 0.750  neg 0.250"


def test_plain_mode_keeps_the_text_readable() -> None:
    lines = render_terminal(explain("a fine\nfilm"), color="none").splitlines()
    assert lines[1:3] == ["a fine", "film"]


HOSTILE = "clear\x1b[2J title\x1b]0;owned\x07 flip\u202eevil\u202c bell\x07 del\x7f c1\x9b31m lone\rcr"


@pytest.mark.parametrize("color", ["truecolor", "256", "none"])
def test_hostile_control_characters_are_shown_not_executed(color: str) -> None:
    explanation = explain(HOSTILE, label="\x1b[31mred", probabilities={"\x1b[31mred": 1.0, "\u202ex": 0.0})
    output = OUR_SGR.sub("", render_terminal(explanation, color=color))  # type: ignore[arg-type]
    assert not UNSAFE.search(output)
    for spelled in ("\\x1b[2J", "\\x1b]0;owned\\x07", "\\u202e", "\\x7f", "\\x9b", "\\x0d"):
        assert spelled in output


@given(st.text())
def test_only_our_own_sgr_codes_reach_the_terminal(text: str) -> None:
    for color in ("truecolor", "256"):
        output = OUR_SGR.sub("", render_terminal(explain(text, label=text), color=color))
        assert not UNSAFE.search(output)


def test_windows_line_ends_are_kept_as_newlines() -> None:
    assert escape_controls("a\r\nb") == "a\nb"
    assert escape_controls("tab\tstays") == "tab\tstays"


def test_truncated_text_shows_marker_and_dims_tail() -> None:
    explanation = explain("one two three four", truncate_after=2)
    coloured = render_terminal(explanation, color="truecolor")
    assert "\x1b[2m three four\x1b[0m" in coloured
    assert "[truncated: the model read the first 2 words]" in coloured
    plain = render_terminal(explanation, color="none")
    assert "one two[not read ->] three four" in plain


def test_describe_weights_lists_top_tokens_in_order() -> None:
    explanation = explain("a b c d e f g")
    assert describe_weights(explanation, top=3) == "top: g 0.700, f 0.600, e 0.500"
    assert describe_weights(Explanation("", "x", {}, [])) == "top: (no tokens)"


def test_xterm_256_mapping_keeps_text_readable() -> None:
    for value in (i / 100 for i in range(101)):
        _, shown = _nearest_256(shade(value))
        assert contrast_ratio(shown, text_colour(shown)) >= 4.5


def test_xterm_256_mapping_is_exact_for_palette_colours() -> None:
    assert _nearest_256((0, 95, 135)) == (24, (0, 95, 135))
    assert _nearest_256((8, 8, 8)) == (232, (8, 8, 8))


def test_header_of_a_signed_method_says_which_colour_is_which() -> None:
    signed = explain("a fine film", method="integrated-gradients")
    header = render_terminal(signed, color="none").splitlines()[0]
    assert header.endswith("(weights by integrated-gradients; blue for the prediction, red against)")
    unsigned = render_terminal(explain("a fine film", method="random"), color="none").splitlines()[0]
    assert unsigned.endswith("(weights by random)")

"""PNG and SVG pictures: well-formed, deterministic, wrapped, safe with hostile text, silent about glyphs."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

import attnviz.render
from attnviz.errors import ConfigError, DataError
from attnviz.explanation import Explanation, TokenWeight
from attnviz.render.image import draw_figure, render_png, render_svg

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> ]]> <![CDATA[x]]> "><img src=x onerror=alert(1)> &amp; $x^2$ \\ {{ 7*7 }}'
CONTROLS = "nul\x00 esc\x1b[2J bell\x07 del\x7f c1\x9b flip\u202eevil\u202c cr\rx vt\x0bx"


def by_words(text: str, truncate_after: int | None = None, **kwargs: object) -> Explanation:
    matches = list(re.finditer(r"\S+", text))[:truncate_after]
    tokens = [
        TokenWeight(m.group(), m.start(), m.end(), (i % 5) / 4, {"neg": (i % 3) / 3}) for i, m in enumerate(matches)
    ]
    fields: dict[str, object] = {"label": "pos", "probabilities": {"pos": 0.8, "neg": 0.2}}
    fields.update(kwargs)
    return Explanation(text, tokens=tokens, truncated=truncate_after is not None, **fields)  # type: ignore[arg-type]


def svg_texts(svg: str) -> list[str]:
    return ["".join(element.itertext()) for element in ET.fromstring(svg).iter(f"{SVG}text")]


def assert_inert(svg: str) -> None:
    root = ET.fromstring(svg)  # well-formed XML: NUL or a raw control would make this raise
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert "script" not in tags and "foreignObject" not in tags and "a" not in tags
    assert not [name for element in root.iter() for name in element.attrib if name.lower().startswith("on")]
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", svg)


def test_png_is_a_png_of_the_requested_width() -> None:
    png = render_png([by_words("a fine film")], width=5, dpi=100)
    image = Image.open(io.BytesIO(png))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert image.width == 500 and image.height > 50


def test_svg_is_deterministic_and_keeps_text_as_text() -> None:
    explanations = [by_words("a fine film with 日本語 and 😀")]
    svg = render_svg(explanations)
    assert svg == render_svg(explanations)
    assert "<dc:date>" not in svg
    texts = svg_texts(svg)
    for word in ("fine", "film", "日本語", "😀", "Predicted: pos (0.800)"):
        assert word in texts


def test_hostile_text_labels_and_math_stay_literal_text() -> None:
    explanation = by_words(HOSTILE, label=HOSTILE, probabilities={HOSTILE: 0.9, "neg": 0.1})
    svg = render_svg([explanation])
    assert_inert(svg)
    texts = svg_texts(svg)
    assert "<script>alert(1)</script>" in texts
    assert "$x^2$" in texts  # not typeset as mathtext
    assert any("]]>" in text for text in texts)


def test_control_characters_are_drawn_as_visible_escapes() -> None:
    svg = render_svg([by_words(CONTROLS)])
    assert_inert(svg)
    joined = " ".join(svg_texts(svg))
    for spelled in ("nul\\x00", "esc\\x1b[2J", "\\x07", "\\x7f", "\\x9b", "flip\\u202eevil\\u202c", "\\x0d", "\\x0b"):
        assert spelled in joined


def test_cjk_and_emoji_draw_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render_png([by_words("日本語のテキスト 😀 👍🏽 한국어 עברית العربية")], dpi=50)
        render_svg([by_words("日本語 😀")])


def test_empty_text_and_text_without_tokens_draw() -> None:
    svg = render_svg([Explanation("", "a", {"a": 1.0}, []), Explanation("just words", "a", {"a": 1.0}, [])])
    texts = svg_texts(svg)
    assert "(empty text)" in texts and "just words" in texts  # plain words on a line are one searchable text


def test_no_explanations_is_a_data_error() -> None:
    with pytest.raises(DataError, match="no explanations"):
        render_png([])
    with pytest.raises(DataError, match="no explanations"):
        render_svg([])


def test_bad_settings_are_rejected() -> None:
    with pytest.raises(ConfigError, match="width"):
        render_png([by_words("a")], width=0.2)
    with pytest.raises(ConfigError, match="dpi"):
        render_png([by_words("a")], dpi=0)
    with pytest.raises(ValueError, match="scale"):
        render_svg([by_words("a")], scale="log")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="not a class"):
        render_svg([by_words("a")], view="nope")


def test_long_text_wraps_inside_the_width() -> None:
    text = " ".join(f"word{i}" for i in range(80)) + " " + "x" * 300
    drawing = draw_figure([by_words(text)], width=4, dpi=100)
    rows = {round(box.y0) for box in drawing.boxes}
    assert len(rows) > 5
    assert all(0 <= box.x0 < box.x1 <= 400 for box in drawing.boxes)
    long_parts = [box for box in drawing.boxes if box.token == 80]
    assert len(long_parts) > 1  # a word wider than the line is cut into parts


def test_truncated_tail_is_grey_with_a_note() -> None:
    svg = render_svg([by_words("one two three four", truncate_after=2)])
    grey = [
        "".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text") if "fill: #6e7781" in t.get("style", "")
    ]
    assert "three four" in grey and "one" not in grey
    assert any("the model read the first 2 words" in text for text in svg_texts(svg))


def test_legend_names_the_scale_and_marks_uniform_levels_on_the_fixed_scale() -> None:
    assert any("per-text maximum" in text for text in svg_texts(render_svg([by_words("a b")])))
    fixed = svg_texts(render_svg([by_words("a b c d"), by_words("a b")], scale="fixed"))
    assert any("fixed 0-1" in text for text in fixed)
    assert "1/4" in fixed and "1/2" in fixed


def test_token_boxes_have_stable_ids_in_order() -> None:
    svg = render_svg([by_words("a b"), by_words("c")])
    ids = [g.get("id") for g in ET.fromstring(svg).iter(f"{SVG}g") if (g.get("id") or "").startswith("attnviz-token-")]
    assert ids == ["attnviz-token-0-0-0", "attnviz-token-0-1-0", "attnviz-token-1-0-0"]


def test_import_is_light_and_drawing_never_uses_pyplot_or_torch() -> None:
    source_root = str(Path(attnviz.render.__file__).parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source_root, os.environ.get("PYTHONPATH", "")])}
    code = (
        "import sys, attnviz.render as r\n"
        "assert 'matplotlib' not in sys.modules and 'torch' not in sys.modules\n"
        "from attnviz.explanation import Explanation\n"
        "r.render_png([Explanation('a', 'x', {'x': 1.0}, [])], dpi=20)\n"
        "assert 'matplotlib.pyplot' not in sys.modules and 'torch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_signed_scores_get_a_red_to_blue_legend_of_their_own() -> None:
    attention = by_words("not bad at all")
    signed = Explanation(attention.text, "pos", {"pos": 0.8, "neg": 0.2}, attention.tokens, method="gradient-x-input")
    texts = svg_texts(render_svg([signed, attention]))
    assert any(text.startswith("Signed scores") for text in texts) and "-1" in texts and "-0.5" in texts
    assert not any(text.startswith("Signed scores") for text in svg_texts(render_svg([attention])))
    assert not any(text.startswith("Signed scores") for text in svg_texts(render_svg([signed], view="neg")))

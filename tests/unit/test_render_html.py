"""HTML output: hostile text stays text, the text block is the original text, the page is sealed."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attnviz.render
from attnviz.errors import DataError
from attnviz.explanation import Explanation, TokenWeight
from attnviz.render.colors import hex_colour, shade_signed
from attnviz.render.html import render_fragment, render_page

Render = Callable[[Sequence[Explanation]], str]
TEMPLATES = Path(attnviz.render.__file__).parent / "templates"
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<!-- swallowed",
    "{{ 7*7 }} {% raw %}",
    "</textarea></style></title>",
    "' onmouseover='alert(1)",
    "&amp; &lt;b&gt;",
]
TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "div", "span", "section", "bdi", "ul", "li"}
TAGS |= {"p", "details", "summary"}
ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "class", "style", "title", "data-weight"}
ATTRIBUTES |= {"dir", "data-class", "data-code", "aria-description", "data-method"}
COLOUR_PAIRS = (
    "--attnviz-bg:#[0-9a-f]{6};--attnviz-fg:#[0-9a-f]{6};--attnviz-bg-dark:#[0-9a-f]{6};--attnviz-fg-dark:#[0-9a-f]{6}"
)
STYLE_VALUE = re.compile(rf"{COLOUR_PAIRS}|width:\d{{1,3}}\.\d%")


class Parsed(HTMLParser):
    """Start tags with their attributes, and the character data of every `.attnviz-text` block."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[str] = []
        self._depth = 0  # open elements inside the current text block; 0 when outside
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if self._depth:
            self._depth += 1
        elif tag == "div" and ("class", "attnviz-text") in attrs:
            self._depth = 1
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.texts[-1] += data

    def structure(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(tag, tuple(name for name, _ in attrs)) for tag, attrs in self.tags]

    def attribute_values(self, name: str) -> list[str | None]:
        return [value for _, attrs in self.tags for key, value in attrs if key == name]


def explain(text: str, pattern: str = r"\S+", truncate_after: int | None = None, **kwargs: object) -> Explanation:
    """Tokens at the pattern's matches, with weights and class weights that differ per token."""
    matches = list(re.finditer(pattern, text))
    if truncate_after is not None:
        matches = matches[:truncate_after]
    tokens = [
        TokenWeight(m.group(), m.start(), m.end(), (i % 7) / 10, {"pos": (i % 3) / 4, "neg": (i % 5) / 8})
        for i, m in enumerate(matches)
    ]
    fields: dict[str, object] = {"label": "pos", "probabilities": {"pos": 0.8, "neg": 0.2}}
    fields.update(kwargs)
    return Explanation(text, tokens=tokens, truncated=truncate_after is not None, **fields)  # type: ignore[arg-type]


def assert_no_active_content(parsed: Parsed) -> None:
    assert {tag for tag, _ in parsed.tags} <= TAGS
    assert {name for _, attrs in parsed.tags for name, _ in attrs} <= ATTRIBUTES
    assert all(STYLE_VALUE.fullmatch(value or "") for value in parsed.attribute_values("style"))


def neutral(text: str) -> str:
    """Same whitespace and length, nothing special: the structure a harmless text would give."""
    return re.sub(r"\S", "a", text)


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("render", [render_fragment, render_page])
def test_hostile_text_renders_with_the_same_tags_as_harmless_text(render: Render, hostile: str) -> None:
    text = f"before {hostile} after\n{hostile}"
    parsed = Parsed(render([explain(text)]))
    assert parsed.structure() == Parsed(render([explain(neutral(text))])).structure()
    assert_no_active_content(parsed)
    assert parsed.texts[0] == text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_labels_class_names_and_title_stay_text(hostile: str) -> None:
    def page(name: str) -> str:
        explanation = explain("good film", label=name, probabilities={name: 0.7, "pos": 0.3})
        tokens = [TokenWeight(t.text, t.start, t.end, t.weight, {name: 0.5}) for t in explanation.tokens]
        return render_page([dataclasses.replace(explanation, tokens=tokens)], title=name)

    parsed = Parsed(page(hostile))
    assert parsed.structure() == Parsed(page(neutral(hostile))).structure()
    assert_no_active_content(parsed)
    assert hostile in parsed.attribute_values("data-class")  # escaped in the attribute, read back intact


def test_nul_and_control_characters_stay_text_and_are_marked() -> None:
    text = "a\x00b \x1b[2J c\u202eevil\u202c d"
    parsed = Parsed(render_page([explain(text)]))
    assert_no_active_content(parsed)
    assert parsed.texts[0] == text
    assert {"U+0000", "U+001B", "U+202E", "U+202C"} <= set(parsed.attribute_values("data-code"))


def test_carriage_returns_survive_as_character_references() -> None:
    html = render_fragment([explain("one\r\ntwo\rthree")])
    assert "\r" not in html
    assert Parsed(html).texts[0] == "one\r\ntwo\rthree"


@settings(max_examples=150, deadline=None)
@given(st.text(), st.booleans())
def test_text_block_content_equals_the_original_text(text: str, truncate: bool) -> None:
    explanation = explain(text, r"\w+", truncate_after=2 if truncate else None)
    for html in (render_fragment([explanation]), render_page([explanation])):
        texts = Parsed(html).texts
        assert texts and all(block == text for block in texts)


def test_tokens_carry_their_weight_in_title_data_attribute_and_aria_description() -> None:
    explanation = Explanation("nice plot", "pos", {"pos": 1.0}, [TokenWeight("nice", 0, 4, 0.231)])
    parsed = Parsed(render_fragment([explanation]))
    assert "attention 0.231" in parsed.attribute_values("title")
    assert "0.231" in parsed.attribute_values("data-weight")
    assert parsed.attribute_values("aria-description") == ["attention 0.231"]


def token_colours(html: str, prefix: str) -> list[int]:
    """The `prefix` custom property (e.g. `--attnviz-bg:`) of every token, as an integer 0xrrggbb."""
    styles = [dict(attrs).get("style") or "" for _, attrs in Parsed(html).tags if ("class", "attnviz-tok") in attrs]
    return [int(m.group(1), 16) for style in styles if (m := re.search(f"{prefix}#([0-9a-f]{{6}})", style))]


def test_larger_weight_gets_darker_background_and_brighter_dark_mode_background() -> None:
    explanation = Explanation("a b", "x", {"x": 1.0}, [TokenWeight("a", 0, 1, 0.1), TokenWeight("b", 2, 3, 0.9)])
    html = render_fragment([explanation])
    light, dark = token_colours(html, "--attnviz-bg:")
    assert dark < light
    dim, bright = token_colours(html, "--attnviz-bg-dark:")
    assert bright > dim


def test_css_uses_the_light_pair_by_default_and_the_dark_pair_in_dark_mode() -> None:
    css = (TEMPLATES / "attnviz.css").read_text("utf-8")
    default, dark = css.split("@media (prefers-color-scheme: dark)")
    assert "background-color: var(--attnviz-bg); color: var(--attnviz-fg);" in default
    assert "background-color: var(--attnviz-bg-dark); color: var(--attnviz-fg-dark);" in dark


def test_truncated_text_dims_the_tail_and_says_so_outside_the_text() -> None:
    text = "one two three four five"
    html = render_page([explain(text, truncate_after=2)])
    parsed = Parsed(html)
    assert parsed.texts[0] == text
    assert re.search(r'<span class="attnviz-truncated"[^>]*> three four five</span>', html)
    assert "the model read the first 2 words" in html


def test_page_is_sealed_by_csp_and_loads_nothing() -> None:
    html = render_page([explain("hello world")])
    assert '<meta charset="utf-8">' in html
    csp = [v for tag, attrs in Parsed(html).tags if tag == "meta" for k, v in attrs if k == "content"]
    assert any(v and v.startswith("default-src 'none'; style-src 'unsafe-inline'") for v in csp)
    for forbidden in ("http://", "https://", "<script", "url(", "@import", "<link", "<img"):
        assert forbidden not in html


def test_page_has_legend_and_per_class_view() -> None:
    html = render_page([explain("good plot, bad acting")])
    parsed = Parsed(html)
    assert "Each text is scaled by its own largest weight" in html
    assert "<details" in html and "per-class attention" in html
    assert parsed.attribute_values("data-class") == ["pos", "neg"]
    assert len(parsed.texts) == 3  # the prediction's view plus one per class


def test_fixed_scale_legend_says_weights_are_comparable() -> None:
    assert "comparable between texts" in render_page([explain("a b")], scale="fixed")


def test_no_per_class_view_without_class_weights() -> None:
    explanation = Explanation("a b", "x", {"x": 1.0}, [TokenWeight("a", 0, 1, 1.0)])
    assert "<details" not in render_page([explanation])


def test_fragment_view_shades_a_class_and_rejects_unknown_classes() -> None:
    html = render_fragment([explain("good plot")], view="neg")
    assert "attention for class" in html
    with pytest.raises(DataError, match="not a class"):
        render_fragment([explain("good plot")], view="nope")


def test_bad_scale_is_rejected() -> None:
    with pytest.raises(ValueError, match="scale"):
        render_page([explain("a")], scale="log")  # type: ignore[arg-type]


def test_fragment_is_embeddable_and_repr_html_uses_it() -> None:
    explanation = explain("fine")
    fragment = render_fragment([explanation])
    assert fragment.lstrip().startswith('<div class="attnviz">')
    assert "<html" not in fragment and "<script" not in fragment
    assert explanation._repr_html_() == fragment


def test_empty_inputs_render() -> None:
    assert "No explanations." in render_page([])
    assert Parsed(render_page([Explanation("", "a", {}, [])])).texts == [""]


def test_every_css_selector_is_scoped_under_attnviz() -> None:
    css = re.sub(r"/\*.*?\*/", "", (TEMPLATES / "attnviz.css").read_text("utf-8"), flags=re.S)
    css = css.replace("@media (prefers-color-scheme: dark) {", "")  # the only at-rule; its rules are checked too
    assert "@" not in css
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", css) for s in rule.split(",")]
    assert selectors and all(s.startswith(".attnviz") for s in selectors)


def test_templates_never_mark_user_data_safe() -> None:
    sources = [p.read_text("utf-8") for p in TEMPLATES.iterdir()]
    sources.append((TEMPLATES.parent / "html.py").read_text("utf-8"))
    assert not any("|safe" in s.replace(" ", "") or "Markup(" in s for s in sources)


def test_render_modules_do_not_import_torch() -> None:
    source_root = str(Path(attnviz.render.__file__).parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source_root, os.environ.get("PYTHONPATH", "")])}
    code = "import sys, attnviz.render.html, attnviz.render.terminal; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_signed_methods_are_shaded_red_to_blue_under_their_own_legend() -> None:
    text = "not bad at all"
    words = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    tokens = [TokenWeight(w, s, e, weight) for (w, s, e), weight in zip(words, [-0.2, 0.4, 0.0, 0.1], strict=True)]
    signed = Explanation(text, "pos", {"pos": 0.8, "neg": 0.2}, tokens, method="leave-one-out")
    page = render_page([signed, explain("plain attention")])
    styles = [value for value in Parsed(page).attribute_values("style") if value and "--attnviz-bg:" in value]
    backgrounds = [style.split("--attnviz-bg:")[1][:7] for style in styles]
    assert backgrounds[10:14] == [hex_colour(shade_signed(v)) for v in (-0.5, 1.0, 0.0, 0.25)]  # after 2 legends
    assert "by leave-one-out" in page and "Signed" in page and "ColorBrewer RdBu" in page
    assert "Highest leave-one-out scores" in page and "leave-one-out 0.400" in Parsed(page).attribute_values("title")
    assert "Signed" not in render_page([explain("plain attention")])


def test_one_text_explained_by_several_methods_is_one_block_with_a_row_per_method() -> None:
    text = "not bad at all"
    words = [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    attention = Explanation(text, "pos", {"pos": 0.8, "neg": 0.2}, [TokenWeight(*w, 0.25) for w in words])
    scores = [TokenWeight(*w, v) for w, v in zip(words, [-1, 1, 0, 0], strict=True)]
    signed = dataclasses.replace(attention, tokens=scores)
    other = explain("another text")
    for render in (render_page, render_fragment):
        signed_view = dataclasses.replace(signed, method="leave-one-out")
        html = render([attention, signed_view, other, dataclasses.replace(other, method="random")])
        parsed = Parsed(html)
        assert html.count('class="attnviz-block"') == 2 and html.count("2 methods side by side") == 2
        assert parsed.attribute_values("data-method") == ["attention", "leave-one-out", "attention", "random"]
        assert parsed.texts[:2] == [text, text]  # the page adds per-class views after the rows
        assert "leave-one-out -1.000" in parsed.attribute_values("aria-description")
    assert render_page([attention, attention]).count('class="attnviz-block"') == 2  # same method twice: two blocks

"""The whole-data-set report: sealed by its CSP, data that decodes back exactly, user text never markup."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import math
import re
from array import array
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import attnviz.render
from attnviz.errors import DataError
from attnviz.explanation import Explanation, TokenWeight
from attnviz.lexicon import attention_lexicon
from attnviz.metrics import classification_report
from attnviz.render.report import render_report
from attnviz.render.report_data import CHUNK_SIZE
from attnviz.render.report_model import Provenance, ReportData

TEMPLATES = Path(attnviz.render.__file__).parent / "templates"
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<!--",
    "</script>",
    "</textarea>",
    "{{ 7*7 }}",
    "javascript:alert(1)",
    "\u202eevil\u202c \u2066iso\u2069",
    "nul\x00 esc\x1b[2J cr\r del\x7f c1\x85",
    "\u2028\u2029 & &amp; ]]>",
]
# Every tag and attribute report.html.j2 itself writes; user text must never add one.
TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "ul", "ol", "li"}
TAGS |= {"noscript", "main", "section", "dl", "div", "dt", "dd", "table", "caption", "thead", "tbody", "tr"}
TAGS |= {"th", "td", "bdi", "button", "span", "strong", "label", "input", "select", "option", "nav", "footer"}
TAGS |= {"script"}
ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "class", "id", "aria-labelledby", "scope"}
ATTRIBUTES |= {"type", "data-true", "data-pred", "title", "data-class", "data-word", "role", "aria-label"}
ATTRIBUTES |= {"value", "placeholder", "autocomplete", "min", "aria-live"}
PROVENANCE = Provenance("9.8.7", "imdb-model", "ab" * 32, "reviews.csv", "cd" * 32, "2025-03-04T05:06:07Z")


class Page(HTMLParser):
    """Start tags with attributes, and the raw content of every script and style element."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: list[tuple[str, dict[str, str | None], str]] = []
        self._inside = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self.raw.append((tag, dict(attrs), ""))
            self._inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            tag, attrs, text = self.raw[-1]
            self.raw[-1] = (tag, attrs, text + data)

    def json_blocks(self) -> dict[str, str]:
        return {str(attrs["id"]): text for tag, attrs, text in self.raw if attrs.get("type") == "application/json"}

    def inline(self, tag: str) -> list[str]:
        return [text for name, attrs, text in self.raw if name == tag and "type" not in attrs]

    def meta_csp(self) -> str:
        return next(str(a["content"]) for t, a in self.tags if t == "meta" and a.get("http-equiv"))


def explain(text: str, label: str, classes: list[str], seed: int = 0, truncate_after: int | None = None) -> Explanation:
    """Tokens at the words; weights (used and per class) differ per token and sum to 1."""
    matches = list(re.finditer(r"\w+", text))[:truncate_after]
    raw = [((i + seed) % 7 + 1) / 10 for i in range(len(matches))]
    total = sum(raw) or 1.0
    tokens = [
        TokenWeight(
            m.group(),
            m.start(),
            m.end(),
            r / total,
            {c: (k + 1) * r / (total * len(classes)) for k, c in enumerate(classes)},
        )
        for m, r in zip(matches, raw, strict=True)
    ]
    probabilities = {c: (0.7 if c == label else 0.3 / max(1, len(classes) - 1)) for c in classes}
    return Explanation(text, label, probabilities, tokens, truncated=truncate_after is not None)


def report(
    texts: list[str], classes: list[str], *, labelled: bool = True, title: str = "Reviews", **fields: Any
) -> ReportData:
    explanations = [explain(t, classes[i % len(classes)], classes, seed=i) for i, t in enumerate(texts)]
    truth = [classes[(i // 2) % len(classes)] for i in range(len(texts))] if labelled else None
    predicted = [e.label for e in explanations]
    metrics = classification_report(truth, predicted, classes) if truth is not None else None
    return ReportData(title, classes, explanations, truth, metrics, PROVENANCE, **fields)


REVIEWS = ["A great film with a lovely cast.", "Dull plot, awful acting.", "Great fun, great music!"] * 3


def _unpack(data: str, width: int, floats: bool) -> list[Any]:
    codes = {1: "B", 2: "H", 4: "f" if floats else "I", 8: "d"}
    values = array(codes[width])
    values.frombytes(base64.b64decode(data))
    return values.tolist()


def decode(html: str) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """(config, index, examples) as the page's script sees them, with token texts cut in UTF-16 units."""
    blocks = Page(html).json_blocks()
    config, index = json.loads(blocks["attnviz-config"]), json.loads(blocks["attnviz-index"])
    examples = []
    for c in range(config["chunks"]):
        texts, chunk = json.loads(blocks[f"attnviz-t{c}"]), json.loads(blocks[f"attnviz-d{c}"])
        for k, text in enumerate(texts):
            flat = _unpack(chunk["o"][k], chunk["ob"][k], floats=False)
            units, position, tokens = text.encode("utf-16-le"), 0, []
            for gap, length in zip(flat[0::2], flat[1::2], strict=True):
                start = position + gap
                tokens.append(units[2 * start : 2 * (start + length)].decode("utf-16-le"))
                position = start + length
            weights = _unpack(chunk["w"][k], chunk["wb"][k], floats=True)
            n = len(tokens)
            views = [weights[v * n : (v + 1) * n] for v in range(chunk["v"][k])]
            methods = [_unpack(m, width, floats=True) for m, width in zip(*_methods(chunk, k), strict=True)]
            example = {"text": text, "tokens": tokens, "views": views, "methods": methods}
            examples.append(example | {"p": chunk["p"][k], "t": chunk["t"][k]})
    return config, index, examples


def _methods(chunk: dict[str, Any], k: int) -> tuple[list[str], list[int]]:
    return (chunk["m"][k], chunk["mb"][k]) if "m" in chunk else ([], [])


def _hash(content: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(content.encode()).digest()).decode() + "'"


def test_csp_allows_exactly_the_inline_script_and_style_by_hash() -> None:
    page = Page(render_report(report(REVIEWS, ["pos", "neg"])))
    (script,), (style,) = page.inline("script"), page.inline("style")
    directives = dict(d.strip().split(" ", 1) for d in page.meta_csp().split(";"))
    assert directives == {
        "default-src": "'none'",
        "script-src": _hash(script),
        "style-src": _hash(style),
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    names = ("colors.js", "text.js", "report_methods.js", "report_store.js", "report.js")
    scripts = [(TEMPLATES / name).read_text(encoding="utf-8") for name in names]
    assert script == "\n".join(scripts)  # the shared colour model and text drawing, then the report's own code
    assert not any("style" in attrs for _, attrs in page.tags)  # inline style attributes would be blocked


def test_page_loads_nothing_from_anywhere() -> None:
    html = render_report(report(REVIEWS, ["pos", "neg"]))
    for forbidden in ("http:", "https:", "<link", "<img", "<iframe", "@import", "url(", "src=", "href="):
        assert forbidden not in html
    for _, attrs in Page(html).tags:
        assert not any(value and value.startswith("//") for value in attrs.values())


@pytest.mark.parametrize("name", ["report.js", "report_store.js", "report_methods.js", "colors.js", "text.js"])
def test_script_uses_no_html_parsing_or_code_evaluating_api(name: str) -> None:
    script = (TEMPLATES / name).read_text(encoding="utf-8")
    for api in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert api not in script
    assert not re.search(r"setAttribute\(\s*[\"'](on|style|href|src)", script)
    assert not re.search(r"\.on[a-z]+\s*=", script)  # handlers only through addEventListener
    assert not re.search(r"setTimeout\(\s*[\"'`]", script)


def test_json_blocks_cannot_end_their_element_and_decode_to_the_original_data() -> None:
    texts = [f"{hostile} plain words {i}" for i, hostile in enumerate(HOSTILE)] + ["emoji 😀 after 𝒜 done"]
    data = report(texts, ["pos", "neg"])
    html = render_report(data)
    for raw in Page(html).json_blocks().values():
        assert "</" not in raw and "<!--" not in raw and "<" not in raw
    _, _, examples = decode(html)
    for explanation, decoded in zip(data.explanations, examples, strict=True):
        assert decoded["text"] == explanation.text
        assert decoded["tokens"] == [t.text for t in explanation.tokens]
        assert decoded["views"][0] == [t.weight for t in explanation.tokens]
        assert decoded["views"][2] == [t.class_weights["neg"] for t in explanation.tokens]


def test_float32_weights_travel_as_float32_and_others_as_float64() -> None:
    low, high = array("f", [0.1, 0.9])  # what a model's float32 tensors give
    tokens = [TokenWeight("a", 0, 1, low), TokenWeight("b", 2, 3, high)]
    data = report(["x"], ["pos"])
    exact = dataclasses.replace(data.explanations[0], text="a b", tokens=tokens)
    html = render_report(dataclasses.replace(data, explanations=[exact], true_labels=["pos"], metrics=None))
    chunk = json.loads(Page(html).json_blocks()["attnviz-d0"])
    assert chunk["wb"] == [4]
    html = render_report(report(REVIEWS, ["pos", "neg"]))
    assert set(json.loads(Page(html).json_blocks()["attnviz-d0"])["wb"]) == {8}


def test_examples_are_split_into_chunks() -> None:
    data = report([f"word {i}" for i in range(CHUNK_SIZE + 5)], ["pos", "neg"])
    config, index, examples = decode(render_report(data))
    assert config["chunks"] == 2
    assert len(examples) == len(index["p"]) == CHUNK_SIZE + 5
    assert examples[-1]["text"] == f"word {CHUNK_SIZE + 4}"


def test_index_holds_classes_confidence_loss_and_length() -> None:
    data = report(REVIEWS, ["pos", "neg"])
    _, index, _ = decode(render_report(data))
    assert index["p"][:3] == [0, 1, 0]
    assert index["y"][:3] == [0, 0, 1]
    assert index["c"][0] == 0.7
    assert index["l"][1] == pytest.approx(-math.log(0.3), abs=1e-6)
    assert index["n"] == [len(t) for t in REVIEWS]


def test_summary_shows_metrics_and_a_clickable_confusion_matrix() -> None:
    data = report(REVIEWS, ["pos", "neg"])
    html = render_report(data)
    assert data.metrics is not None
    assert f"{100 * data.metrics['accuracy']:.1f}%" in html and "Macro-F1" in html
    cells = [(a["data-true"], a["data-pred"], t) for t, a in Page(html).tags if t == "button" and "data-true" in a]
    assert [(int(str(x)), int(str(y))) for x, y, _ in cells] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert 'id="misclassified"' in html and 'value="loss-desc"' in html


def test_unlabelled_data_has_no_summary_no_misclassified_filter_and_no_loss_sort() -> None:
    html = render_report(report(REVIEWS, ["pos", "neg"], labelled=False))
    assert "Summary" not in html and "Confusion matrix" not in html
    assert 'id="misclassified"' not in html and 'value="loss-desc"' not in html
    _, index, _ = decode(html)
    assert index["y"] is None and index["l"] is None


def test_metrics_are_computed_when_labelled_data_comes_without_them() -> None:
    data = dataclasses.replace(report(REVIEWS, ["pos", "neg"]), metrics=None)
    assert "Macro-F1" in render_report(data)


def test_lexicon_words_are_buttons_whose_examples_are_in_the_config() -> None:
    data = report(REVIEWS * 2, ["pos", "neg"])
    html = render_report(data)
    config, _, _ = decode(html)
    buttons = [a for t, a in Page(html).tags if t == "button" and "data-word" in a]
    lexicon = attention_lexicon(data.explanations)
    assert len(buttons) == sum(len(entries) for entries in lexicon.values()) > 0
    first = lexicon["pos"][0]
    assert config["lexicon"][0][0] == list(first.examples)
    assert f"<bdi>{first.word}</bdi>" in html


def test_footer_shows_the_provenance() -> None:
    html = render_report(report(REVIEWS, ["pos", "neg"]))
    footer = html[html.index("<footer") :]
    for value in dataclasses.astuple(PROVENANCE):
        assert value in footer


def test_legend_names_the_palette_the_scale_and_the_uniform_level() -> None:
    html = render_report(report(REVIEWS, ["pos", "neg"]))
    assert "ColorBrewer Blues" in html and "per-text maximum" in html and "uniform level 1/n" in html
    fixed = render_report(report(REVIEWS, ["pos", "neg"], scale="fixed"))
    assert "fixed 0-1 scale" in fixed and "comparable between texts" in fixed


def test_config_carries_the_colour_model() -> None:
    from attnviz.render.colors import DARK_STOPS, STOPS

    config, _, _ = decode(render_report(report(REVIEWS, ["pos", "neg"])))
    assert config["stops"] == [list(s) for s in STOPS] and config["darkStops"] == [list(s) for s in DARK_STOPS]
    assert len(config["linear"]) == 256 and config["scale"] == "max"


def test_empty_report_renders() -> None:
    html = render_report(report([], ["pos", "neg"], labelled=False))
    config, index, examples = decode(html)
    assert config["chunks"] == 0 and index["p"] == [] and examples == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"true_labels": ["pos"]}, "one label per explanation"),
        ({"classes": ["pos", "pos"]}, "distinct"),
        ({"classes": ["pos"]}, "not a report class"),
        ({"scale": "log"}, "scale"),
    ],
)
def test_inconsistent_data_is_a_data_error(change: dict[str, Any], message: str) -> None:
    data = dataclasses.replace(report(REVIEWS, ["pos", "neg"], labelled=False), **change)
    with pytest.raises((DataError, ValueError), match=message):
        render_report(data)


def test_unknown_true_label_and_overlapping_tokens_are_data_errors() -> None:
    data = report(REVIEWS[:2], ["pos", "neg"])
    with pytest.raises(DataError, match="true label"):
        render_report(dataclasses.replace(data, true_labels=["pos", "meh"]))
    overlapping = dataclasses.replace(
        data.explanations[0], tokens=[TokenWeight("A great", 0, 7, 0.5), TokenWeight("great", 2, 7, 0.5)]
    )
    with pytest.raises(DataError, match="token spans"):
        render_report(dataclasses.replace(data, explanations=[overlapping, data.explanations[1]]))


def with_methods(data: ReportData, *methods: str) -> ReportData:
    """`data` with extra methods whose weights are signed (and float32-exact for the second method)."""
    extra = {}
    for number, method in enumerate(methods):
        explained = []
        for e in data.explanations:
            weights = [(-1) ** t * (t + 1) / 8 if number else (t - 1.5) / 7 for t in range(len(e.tokens))]
            tokens = [token._replace(weight=w, class_weights={}) for token, w in zip(e.tokens, weights, strict=True)]
            explained.append(dataclasses.replace(e, tokens=tokens, method=method))
        extra[method] = explained
    return dataclasses.replace(data, method_explanations=extra)


def legend(html: str) -> str:
    """The "How to read the heatmaps" section (the page's script and style mention methods too)."""
    return html[html.index('id="legend-title"') : html.index('id="lexicon-title"')]


def test_method_weights_decode_back_in_method_order_and_the_config_names_them() -> None:
    data = with_methods(report([*REVIEWS, "emoji 😀 after 𝒜 done"], ["pos", "neg"]), "leave-one-out", "gradient")
    html = render_report(data)
    config, _, examples = decode(html)
    assert config["methods"] == ["leave-one-out", "gradient"] and config["signedMethods"] == ["leave-one-out"]
    for position, decoded in enumerate(examples):
        expected = [[t.weight for t in data.method_explanations[m][position].tokens] for m in config["methods"]]
        assert decoded["methods"] == expected
        assert decoded["views"][0] == [t.weight for t in data.explanations[position].tokens]
    chunk = json.loads(Page(html).json_blocks()["attnviz-d0"])
    assert {width for widths in chunk["mb"] for width in widths} == {4, 8}  # eighths are exact in float32
    assert "blue words support the predicted class" in legend(html) and "ColorBrewer RdBu" in legend(html)
    assert "methods side by side" in legend(html) and "leave-one-out, gradient" in legend(html)


def test_a_report_without_methods_has_no_method_data_and_no_signed_legend() -> None:
    html = render_report(report(REVIEWS, ["pos", "neg"]))
    config, _, _ = decode(html)
    assert config["methods"] == [] and config["signedMethods"] == []
    assert "mb" not in json.loads(Page(html).json_blocks()["attnviz-d0"])
    assert "blue words support" not in legend(html) and "methods side by side" not in legend(html)
    unsigned = legend(render_report(with_methods(report(REVIEWS, ["pos", "neg"]), "gradient")))
    assert "methods side by side" in unsigned and "blue words support" not in unsigned


def test_method_explanations_must_match_the_attention_ones() -> None:
    data = with_methods(report(REVIEWS, ["pos", "neg"]), "gradient-x-input")
    explained = list(data.method_explanations["gradient-x-input"])
    explained[1] = dataclasses.replace(explained[1], tokens=explained[1].tokens[:-1])
    with pytest.raises(
        DataError, match=r"^The gradient-x-input explanation of example 1 has 3 tokens where attention has 4;"
    ):
        dataclasses.replace(data, method_explanations={"gradient-x-input": explained})
    with pytest.raises(DataError, match="cover 2 texts but the attention ones 9"):
        dataclasses.replace(data, method_explanations={"gradient": explained[:2]})
    explained[1] = dataclasses.replace(explained[1], text="something else")
    with pytest.raises(DataError, match="example 1 is of another text"):
        dataclasses.replace(data, method_explanations={"gradient": explained})


hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30)), min_size=1, max_size=5).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(hostile_text, min_size=1, max_size=6),
    names=st.lists(
        st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=12)), min_size=2, max_size=3, unique=True
    ),
    title=hostile_text,
    truncate=st.booleans(),
)
def test_hostile_texts_and_names_never_become_markup_and_decode_back(
    texts: list[str], names: list[str], title: str, truncate: bool
) -> None:
    explanations = [
        explain(t, names[i % len(names)], names, seed=i, truncate_after=2 if truncate else None)
        for i, t in enumerate(texts)
    ]
    truth = [names[(i + 1) % len(names)] for i in range(len(texts))]
    provenance = Provenance(title, title, title, title, title, title)
    data = ReportData(title, names, explanations, truth, None, provenance, notes=[title])
    html = render_report(data)
    page = Page(html)
    assert {tag for tag, _ in page.tags} <= TAGS
    assert {name for _, attrs in page.tags for name in attrs} <= ATTRIBUTES
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert sum("type" not in attrs for attrs in scripts) == 1
    assert all(attrs.get("type") in (None, "application/json") for attrs in scripts)
    config, _, examples = decode(html)
    assert config["classes"] == names
    assert [e["text"] for e in examples] == texts
    assert [e["tokens"] for e in examples] == [[t.text for t in e.tokens] for e in explanations]

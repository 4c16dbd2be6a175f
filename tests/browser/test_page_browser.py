"""The standalone page and the notebook fragment in a real Chromium: exact text, exact colours, nothing runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from attnviz.explanation import Explanation, TokenWeight
from attnviz.render.colors import hex_colour, normalise, shade, text_colour
from attnviz.render.html import render_fragment, render_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Every text a renderer must survive; NUL is left out because HTML parsers never keep it (see test below).
TEXTS = [
    "The plot was wonderful, the acting superb.",
    '<script>window.__pwned=1</script> "><img src=x onerror="window.__pwned=1"> boring',
    "Line one\r\nline two\ttabbed\u202e reversed\u2066 isolate <!-- </textarea> {{ 7*7 }} javascript:alert(1)",
    "日本語 and emoji 👍🏽 and a word that is cut off " + "long " * 5,
]


def explained(text: str, index: int) -> Explanation:
    matches = list(re.finditer(r"\S+", text))
    kept = matches[:8] if index == 3 else matches  # one truncated text
    raw = [(position * 7 + index) % 5 + 0.5 for position in range(len(kept))]
    total = sum(raw)
    tokens = [
        TokenWeight(m.group(), m.start(), m.end(), r / total, {"pos": r / total, "neg": 1 / len(kept)})
        for m, r in zip(kept, raw, strict=True)
    ]
    return Explanation(text, "pos", {"pos": 0.7, "neg": 0.3}, tokens, truncated=len(kept) < len(matches))


def rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield opened
    assert dialogs == []
    context.close()


def blocks(page: Page) -> list[dict[str, Any]]:
    script = """els => els.map(block => {
        const text = block.querySelector(':scope > .attnviz-text');
        return {
            text: text.textContent,
            tokens: [...text.querySelectorAll('.attnviz-tok')].map(t => ({
                background: getComputedStyle(t).backgroundColor, color: getComputedStyle(t).color,
                title: t.title, description: t.getAttribute('aria-description'),
            })),
        };
    })"""
    result: list[dict[str, Any]] = page.eval_on_selector_all(".attnviz-block", script)
    return result


@pytest.mark.parametrize("dark", [False, True])
def test_page_text_and_colours_are_exact_and_nothing_runs(page: Page, tmp_path: Path, dark: bool) -> None:
    explanations = [explained(text, index) for index, text in enumerate(TEXTS)]
    path = tmp_path / "page.html"
    path.write_text(render_page(explanations, title="<script>window.__pwned=1</script>"), encoding="utf-8")
    page.emulate_media(color_scheme="dark" if dark else "light")
    page.goto(path.as_uri())
    assert page.evaluate("window.__pwned") is None and page.title() == "<script>window.__pwned=1</script>"
    shown = blocks(page)
    assert [block["text"] for block in shown] == TEXTS
    for explanation, block in zip(explanations, shown, strict=True):
        expected = [shade(value, dark=dark) for value in normalise(explanation)]
        assert [token["background"] for token in block["tokens"]] == [rgb(hex_colour(c)) for c in expected]
        assert [token["color"] for token in block["tokens"]] == [rgb(hex_colour(text_colour(c))) for c in expected]
        weights = [f"attention {token.weight:.3f}" for token in explanation.tokens]
        assert [token["description"] for token in block["tokens"]] == weights


def test_notebook_fragment_text_is_exact(page: Page) -> None:
    explanations = [explained(text, index) for index, text in enumerate(TEXTS)]
    page.set_content(f"<!DOCTYPE html><html><body>{render_fragment(explanations)}</body></html>")
    assert page.evaluate("window.__pwned") is None
    assert [block["text"] for block in blocks(page)] == TEXTS


def test_a_nul_character_is_shown_as_a_marker_though_html_cannot_keep_it(page: Page, tmp_path: Path) -> None:
    # HTML's parser turns NUL into U+FFFD or drops it, so the static page cannot hold it; the marker stays.
    text = "before\x00after"
    explanation = Explanation(
        text, "pos", {"pos": 1.0}, [TokenWeight("before", 0, 6, 0.5), TokenWeight("after", 7, 12, 0.5)]
    )
    path = tmp_path / "nul.html"
    path.write_text(render_page([explanation]), encoding="utf-8")
    page.goto(path.as_uri())
    shown = blocks(page)[0]["text"]
    assert shown.replace("\ufffd", "").replace("\x00", "") == "beforeafter"
    assert page.eval_on_selector(".attnviz-ctl", "e => e.dataset.code") == "U+0000"

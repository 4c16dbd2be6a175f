"""The page in Debian's Chromium (through Playwright) against a real server: typing explains, the class
switch repaints with Python's colours, hostile text stays text, compare and downloads work.

With ATTNVIZ_UPDATE_DOCS=1 set, also trains a model on the demo corpus and writes docs/serve.png.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI

from attnviz.render.colors import normalise_signed, normalise_weights, shade, shade_signed, text_colour
from tests.web.conftest import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page, Route

HOSTILE = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=1</script>"]
DOCS = Path(__file__).resolve().parents[2] / "docs"


@dataclass
class Opened:
    """The page and everything that went wrong on it: errors, dialogs, CSP reports."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def refuse(self, dialog: Dialog) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def type(self, text: str) -> None:
        """Types `text` key by key (as a person does) and waits until the heatmap shows exactly it."""
        self.page.locator("#text").press_sequentially(text, delay=5)
        self.wait_for(self.page.input_value("#text"))

    def wait_for(self, text: str) -> None:
        script = (
            "t => !document.querySelector('#result').hidden && document.querySelector('#heatmap').textContent === t"
        )
        self.page.wait_for_function(script, arg=text, timeout=15_000)

    def tokens(self, box: str = "#heatmap") -> list[dict[str, Any]]:
        script = """els => els.map(s => ({text: s.textContent, weight: Number(s.dataset.weight),
            background: getComputedStyle(s).backgroundColor, color: getComputedStyle(s).color}))"""
        found: list[dict[str, Any]] = self.page.eval_on_selector_all(f"{box} .token", script)
        return found


@pytest.fixture
def open_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Opened]]:
    contexts = []

    def open_(color_scheme: str = "light", server: LiveServer = live_server) -> Opened:
        context = browser.new_context(color_scheme=color_scheme, viewport={"width": 1100, "height": 900})  # type: ignore[arg-type]
        contexts.append(context)
        opened = Opened(context.new_page())
        opened.page.on("pageerror", lambda error: opened.problems.append(f"error: {error}"))
        opened.page.on(
            "console", lambda message: opened.problems.append(message.text) if message.type == "error" else None
        )
        opened.page.on("dialog", opened.refuse)
        opened.page.goto(server.url + "/")
        return opened

    yield open_
    for context in contexts:
        context.close()


def css_rgb(rgb: tuple[int, int, int]) -> str:
    return "rgb({}, {}, {})".format(*rgb)


def expected_backgrounds(weights: list[float], dark: bool = False) -> list[str]:
    return [css_rgb(shade(value, dark=dark)) for value in normalise_weights(weights)]


def expected_text_colours(weights: list[float], dark: bool = False) -> list[str]:
    return [css_rgb(text_colour(shade(value, dark=dark))) for value in normalise_weights(weights)]


def served_explanation(opened: Opened, text: str, model: str = "tiny", method: str = "attention") -> dict[str, Any]:
    script = """async ([text, model, method]) => (await (await fetch('/api/v1/explain', {method: 'POST', headers:
        {'content-type': 'application/json'}, body: JSON.stringify({texts: [text], model, method})})).json())"""
    answer: dict[str, Any] = opened.page.evaluate(script, [text, model, method])
    return answer["explanations"][0]  # type: ignore[no-any-return]


def test_typing_shows_the_prediction_and_a_heatmap_that_follows_the_text(open_page: Callable[..., Opened]) -> None:
    opened = open_page()
    opened.type("The food was great")
    first = opened.tokens()
    assert [token["text"] for token in first] == ["The", "food", "was", "great"]
    assert opened.page.text_content("#label") in {"positive", "negative", "neutral"}
    assert len(opened.page.query_selector_all("#probabilities li")) == 3
    opened.type(" but the staff were rude!")
    assert len(opened.tokens()) == 10
    assert opened.problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_shade_and_the_class_switch_follow_the_colour_model(
    open_page: Callable[..., Opened], scheme: str
) -> None:
    opened = open_page(color_scheme=scheme)
    text = "The staff were lovely but the room was awful."
    opened.type(text)
    explanation = served_explanation(opened, text)
    weights = [token["weight"] for token in explanation["tokens"]]
    shown = opened.tokens()
    assert [token["background"] for token in shown] == expected_backgrounds(weights, dark=scheme == "dark")
    assert [token["color"] for token in shown] == expected_text_colours(weights, dark=scheme == "dark")
    options = opened.page.eval_on_selector_all("#view option", "os => os.map(o => o.value)")
    assert options == ["", "negative", "neutral", "positive"]
    opened.page.select_option("#view", "negative")
    negative = [token["class_weights"]["negative"] for token in explanation["tokens"]]
    expected = expected_backgrounds(negative, dark=scheme == "dark")
    opened.page.wait_for_function(
        "c => getComputedStyle(document.querySelector('#heatmap .token')).backgroundColor === c", arg=expected[0]
    )
    assert [token["background"] for token in opened.tokens()] == expected
    assert opened.problems == []


def test_hostile_text_is_shown_as_text_and_runs_nothing(open_page: Callable[..., Opened]) -> None:
    opened = open_page()
    for text in HOSTILE:
        opened.page.fill("#text", "")
        opened.page.fill("#text", text)
        opened.wait_for(text)
        assert opened.page.eval_on_selector_all("#heatmap img, #heatmap script", "els => els.length") == 0
        every_panel = "t => [...document.querySelectorAll('#compare-left-map, #methods-rows .heatmap')]"
        opened.page.wait_for_function(every_panel + ".every(m => m.textContent === t)", arg=text)
    opened.page.wait_for_timeout(300)  # give an injected handler every chance to run
    assert opened.page.evaluate("typeof window.__pwned") == "undefined"
    assert opened.page.query_selector_all("body img") == []
    assert opened.problems == []


def test_compare_shows_both_models_and_their_difference_or_why_not(open_page: Callable[..., Opened]) -> None:
    opened = open_page()
    text = "The staff were lovely and the food was great."
    opened.type(text)
    # The compare panel answers on its own request: wait for the one about the whole text, not a prefix's.
    whole = "t => document.querySelector('#compare-left-map').textContent === t"
    opened.page.wait_for_function(whole + " && document.querySelector('#compare-note').textContent !== ''", arg=text)
    assert "differently" in str(opened.page.text_content("#compare-note"))  # tiny reads 10 tokens, short 3
    assert opened.page.text_content("#compare-left-map") == text
    assert opened.tokens("#compare-difference") == []
    opened.page.select_option("#compare-right", "tiny")
    assert "different models" in str(opened.page.text_content("#compare-status"))
    assert opened.problems == []


def test_compare_draws_the_difference_when_both_read_the_same_tokens(
    browser: Browser, make_app: Callable[..., FastAPI], trained_folder: Path
) -> None:
    def factory(port: int) -> FastAPI:
        return make_app({"tiny": trained_folder, "twin": trained_folder}, port=port)

    with LiveServer(factory) as server:
        context = browser.new_context()
        page = context.new_page()
        page.goto(server.url + "/")
        page.fill("#text", "The food was great")
        page.wait_for_function("() => document.querySelectorAll('#compare-difference .token').length === 4")
        assert "same tokens" in str(page.text_content("#compare-note"))
        context.close()


def test_downloads_give_json_html_and_png(open_page: Callable[..., Opened]) -> None:
    opened = open_page()
    opened.type("great food")
    for kind in ("json", "html", "png"):
        with opened.page.expect_download() as download:
            opened.page.click(f"#download-{kind}")
        saved = Path(download.value.path())
        assert download.value.suggested_filename == f"explanation.{kind}"
        content = saved.read_bytes()
        if kind == "json":
            assert json.loads(content)["text"] == "great food"
        elif kind == "html":
            assert b"great" in content and b"<script" not in content
        else:
            assert content.startswith(b"\x89PNG")
    assert opened.problems == []


def test_write_the_screenshot_for_the_docs(browser: Browser, make_app: Callable[..., FastAPI], tmp_path: Path) -> None:
    """Only with ATTNVIZ_UPDATE_DOCS=1: a model trained on the demo corpus explains a realistic review."""
    if os.environ.get("ATTNVIZ_UPDATE_DOCS") != "1":
        return
    from attnviz.classifier import TextClassifier
    from attnviz.demo import load_demo_corpus

    corpus = load_demo_corpus()
    TextClassifier(epochs=6, seed=0, device="cpu").fit(corpus.texts, corpus.labels).save(tmp_path / "reviews")
    with LiveServer(lambda port: make_app([tmp_path / "reviews"], port=port)) as server:
        page = browser.new_context(viewport={"width": 1000, "height": 760}, color_scheme="light").new_page()
        page.goto(server.url + "/")
        text = "The pasta was delicious and the staff were lovely, but the room was tiny and far too noisy."
        page.fill("#text", text)
        page.wait_for_function("t => document.querySelector('#heatmap').textContent === t", arg=text)
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / "serve.png"), clip={"x": 0, "y": 0, "width": 1000, "height": 640})
    assert (DOCS / "serve.png").stat().st_size < 300_000


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_signed_methods_are_shaded_with_the_diverging_palette(open_page: Callable[..., Opened], scheme: str) -> None:
    opened = open_page(color_scheme=scheme)
    opened.page.select_option("#method", "leave-one-out")
    text = "The staff were lovely but the room was awful."
    opened.type(text)
    answer = opened.page.evaluate(
        """async (text) => (await (await fetch('/api/v1/explain', {method: 'POST', headers: {'content-type':
        'application/json'}, body: JSON.stringify({texts: [text], method: 'leave-one-out'})})).json())""",
        text,
    )
    weights = [token["weight"] for token in answer["explanations"][0]["tokens"]]
    assert min(weights) < 0 < max(weights)  # the case worth drawing: evidence both ways
    expected = [css_rgb(shade_signed(value)) for value in normalise_signed(weights)]
    opened.page.wait_for_function(
        "c => getComputedStyle(document.querySelector('#heatmap .token')).backgroundColor === c", arg=expected[0]
    )
    assert [token["background"] for token in opened.tokens()] == expected
    assert "red words speak against it" in (opened.page.text_content("#ramp-text") or "")
    assert opened.problems == []


def method_row(method: str) -> str:
    return f'#methods-rows .method-row[data-method="{method}"]'


def test_compare_methods_shows_one_row_per_ticked_method(open_page: Callable[..., Opened]) -> None:
    opened = open_page()
    page = opened.page
    assert page.is_visible("#methods")
    ticked = page.eval_on_selector_all("#methods-choices input:checked", "bs => bs.map(b => b.value)")
    assert ticked == ["attention", "gradient-x-input", "integrated-gradients", "leave-one-out"]
    page.check('#methods-choices input[value="gradient"]')
    page.uncheck('#methods-choices input[value="integrated-gradients"]')
    text = "The staff were lovely but the room was awful."
    opened.type(text)
    shown = ["attention", "gradient", "gradient-x-input", "leave-one-out"]
    maps = "document.querySelectorAll('#methods-rows .heatmap')"
    drawn = f"([t, n]) => {maps}.length === n && [...{maps}].every(m => m.textContent === t && m.firstChild)"
    page.wait_for_function(drawn, arg=[text, len(shown)])
    rows = page.eval_on_selector_all("#methods-rows .method-row", "rs => rs.map(r => r.dataset.method)")
    assert rows == shown
    captions = page.eval_on_selector_all("#methods-rows figcaption", "cs => cs.map(c => c.textContent)")
    assert captions == shown
    words = [*text.rstrip(".").split(), "."]
    for method in shown:
        tokens = opened.tokens(method_row(method))
        assert [token["text"] for token in tokens] == words
        assert page.text_content(f"{method_row(method)} .heatmap") == text
    weights = [token["weight"] for token in served_explanation(opened, text, method="leave-one-out")["tokens"]]
    assert min(weights) < 0 < max(weights)
    signed = opened.tokens(method_row("leave-one-out"))
    assert [token["background"] for token in signed] == [css_rgb(shade_signed(v)) for v in normalise_signed(weights)]
    assert [token["weight"] for token in signed] == pytest.approx(weights)
    first = page.get_attribute(f"{method_row('leave-one-out')} .token", "aria-description")
    assert first is not None and first.startswith("leave-one-out ")
    attention = [token["weight"] for token in served_explanation(opened, text)["tokens"]]
    assert [token["background"] for token in opened.tokens(method_row("attention"))] == expected_backgrounds(attention)
    assert "red speaks against it" in (page.text_content("#methods-legend") or "")
    page.uncheck('#methods-choices input[value="gradient"]')
    assert page.eval_on_selector_all("#methods-rows .method-row", "rs => rs.map(r => r.dataset.method)") == [
        "attention",
        "gradient-x-input",
        "leave-one-out",
    ]
    assert opened.problems == []


def test_a_failing_method_shows_its_message_in_its_own_row(open_page: Callable[..., Opened]) -> None:
    opened = open_page()
    message = "Leave-one-out is limited to short texts here."

    def refuse_leave_one_out(route: Route) -> None:
        if json.loads(route.request.post_data or "{}").get("method") != "leave-one-out":
            route.continue_()
            return
        body = json.dumps({"status": 413, "message": message, "errors": []})
        route.fulfill(status=413, content_type="application/json", body=body)

    opened.page.route("**/api/v1/explain", refuse_leave_one_out)
    opened.type("great food")
    row = method_row("leave-one-out")
    opened.page.wait_for_function("s => document.querySelector(s).textContent.includes('limited')", arg=f"{row} p")
    assert opened.page.text_content(f"{row} .status") == message
    assert opened.tokens(row) == []
    assert [token["text"] for token in opened.tokens(method_row("attention"))] == ["great", "food"]
    assert opened.page.text_content("#heatmap") == "great food"
    opened.problems = [problem for problem in opened.problems if "413" not in problem]  # the browser logs the 413
    assert opened.problems == []

"""A real Chromium for the report tests: one browser per session, a fresh page per report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

from attnviz.render.report import render_report
from attnviz.render.report_model import ReportData

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Dialog, Page

ColorScheme = Literal["light", "dark"]


@dataclass
class ReportPage:
    """An opened report and everything it said: console messages, page errors, dialogs."""

    page: Page
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def status(self) -> str:
        return str(self.page.text_content("#status"))

    def ids(self) -> list[int]:
        """The original indices of the examples on the current page, top to bottom."""
        return [int(v) for v in self.page.eval_on_selector_all("li.example", "els => els.map(e => e.dataset.id)")]

    def examples(self) -> list[dict[str, Any]]:
        """Per shown example: id, the text element's textContent and every token's computed colours."""
        script = """els => els.map(li => ({
            id: Number(li.dataset.id),
            text: li.querySelector('.text').textContent,
            tail: li.querySelector('.tail') ? li.querySelector('.tail').textContent : null,
            note: li.querySelector('.note').textContent,
            tokens: [...li.querySelectorAll('.tok')].map(s => ({
                text: s.textContent, title: s.title, description: s.getAttribute('aria-description'),
                background: getComputedStyle(s).backgroundColor, color: getComputedStyle(s).color,
                above: s.classList.contains('above'), outline: getComputedStyle(s).outlineStyle,
            })),
        }))"""
        result: list[dict[str, Any]] = self.page.eval_on_selector_all("li.example", script)
        return result

    def change(self, action: Callable[[], object]) -> None:
        """Run `action` and wait until the list shows something else (status line, page or examples)."""
        state = (
            "() => document.querySelector('#status').textContent + '|' + document.querySelector('#page').value"
            " + '|' + [...document.querySelectorAll('li.example')].map(e => e.dataset.id).join()"
        )
        before = self.page.evaluate(state)
        action()
        self.page.wait_for_function(f"before => ({state})() !== before", arg=before, timeout=10_000)

    def refuse_dialog(self, dialog: Dialog) -> None:
        """No report should ever open one (an alert would mean injected script ran); note and dismiss it."""
        self.dialogs.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def problems(self) -> list[str]:
        """Errors, dialogs and CSP reports: a clean page has none."""
        return self.errors + self.dialogs + [m for m in self.console if "Content Security Policy" in m or "rror" in m]


@pytest.fixture
def open_report(browser: Browser, tmp_path: Path) -> Iterator[Callable[..., ReportPage]]:
    contexts: list[BrowserContext] = []

    def open_(data: ReportData, color_scheme: ColorScheme = "light", width: int = 1200) -> ReportPage:
        path = tmp_path / f"report-{len(contexts)}.html"
        path.write_text(render_report(data), encoding="utf-8")
        context = browser.new_context(color_scheme=color_scheme, viewport={"width": width, "height": 900})
        contexts.append(context)
        opened = ReportPage(context.new_page())
        opened.page.on("console", lambda message: opened.console.append(f"{message.type}: {message.text}"))
        opened.page.on("pageerror", lambda error: opened.errors.append(str(error)))
        opened.page.on("dialog", opened.refuse_dialog)
        opened.page.goto(path.as_uri())
        opened.page.wait_for_selector("html[data-ready]", state="attached", timeout=20_000)
        return opened

    yield open_
    for context in contexts:
        context.close()

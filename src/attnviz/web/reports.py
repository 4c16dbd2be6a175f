"""Files the API hands out: the batch report of an uploaded data file, and explanations as HTML or PNG.

Drawing is the render module's; here it only runs in worker threads, a few heavy jobs at a time, so
the model's requests and the pages stay responsive meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import anyio.to_thread

from attnviz.explanation import Explanation
from attnviz.render.html import PAGE_CONTENT_SECURITY_POLICY, check_view, render_page
from attnviz.text.readers import TextDataset
from attnviz.web.problems import PayloadTooLargeError, ServerBusyError
from attnviz.web.registry import ServedModel

T = TypeVar("T")
PICTURE_CHARACTERS = 20_000  # matplotlib lays out every glyph: beyond this a PNG takes seconds


class GeneratedPage(NamedTuple):
    html: str
    content_security_policy: str  # what the page declares for itself, to send as its header too


def security_header(policy: str) -> str:
    """A generated page's own policy, as a header: our app-wide policy would block the inline script and
    style such a standalone page carries, and its own allows no other script. Framing stays refused."""
    return f"{policy}; frame-ancestors 'none'"


class HeavyJobs:
    """Reports and pictures take seconds, not milliseconds: a few at a time, each in a worker thread."""

    def __init__(self, slots: int = 2) -> None:
        self._slots = slots
        self._running = 0

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        if self._running >= self._slots:
            raise ServerBusyError("The server is already drawing reports or pictures; retry in a moment.")
        self._running += 1  # only the event loop touches the counter, so no lock is needed
        try:
            return await anyio.to_thread.run_sync(function, *args)
        finally:
            self._running -= 1


def build_report_page(model: ServedModel, dataset: TextDataset, max_texts: int) -> GeneratedPage:
    """The batch report of the report module, or a plain page of heatmaps for an in-memory model.

    `attnviz.reporting.build_report` needs the model's folder (the report's footer names its hash).
    """
    if len(dataset.texts) > max_texts:
        raise PayloadTooLargeError(
            f"{dataset.source} has {len(dataset.texts):,} texts; a report here takes at most {max_texts:,}. "
            "Upload part of it, or run `attnviz report` on the command line."
        )
    title = f"attnviz report: {dataset.source} with {model.name}"
    if model.folder is None:
        explanations = model.classifier.explain(dataset.texts)
        page = render_page(explanations, title=title + " (plain table: the model has no folder)")
        return GeneratedPage(page, PAGE_CONTENT_SECURITY_POLICY)
    from attnviz.render.report import render_report, report_content_security_policy
    from attnviz.reporting import build_report

    page = render_report(build_report(model.classifier, dataset, model.folder, title=title))
    return GeneratedPage(page, report_content_security_policy())


def render_download(explanations: list[Explanation], kind: str, view: str | None, title: str) -> bytes:
    """One or more explanations as a standalone HTML page or a PNG picture (the render module's)."""
    for explanation in explanations:
        check_view(explanation, view)
    characters = sum(len(explanation.text) for explanation in explanations)
    if kind == "png" and characters > PICTURE_CHARACTERS:
        raise PayloadTooLargeError(
            f"A picture of {characters:,} characters would take long to draw; send at most {PICTURE_CHARACTERS:,}, "
            "or ask for HTML."
        )
    if kind == "html":
        return render_page(explanations, title=title).encode("utf-8")
    from attnviz.render.image import render_png

    return render_png(explanations, view=view)

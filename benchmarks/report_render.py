"""Time `render_report` on an IMDB-sized synthetic data set and the page it makes in Chromium.

usage: python benchmarks/report_render.py [--examples 25000] [--out report.html] [--seed 0] [--no-browser]
       python benchmarks/report_render.py --open report.html

Builds IMDB-like explanations (random words, about 230 tokens a text, at most 400 read so long texts
are truncated, 2 classes, Dirichlet attention stored as float32 like a model's), times `render_report`,
writes the file, then opens it from disk in Chromium (Playwright, the system's chromium) and measures
the time from `page.goto` until the first page of heatmaps is visible, until the whole file is read, and
the time to apply filters (one while the file is still being read), go to page 2, sort and search.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from attnviz.explanation import Explanation, TokenWeight
from attnviz.metrics import classification_report
from attnviz.render.report import render_report
from attnviz.render.report_model import Provenance, ReportData

if TYPE_CHECKING:
    from playwright.sync_api import Page

CLASSES = ["negative", "positive"]
MAX_TOKENS = 400
MAX_CHARS = 13_000
_STATE = (
    "() => document.querySelector('#status').textContent + '/' + document.querySelector('#page').value"
    " + '/' + (document.querySelector('#list > li') || {dataset: {}}).dataset.id"
)
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _vocabulary(rng: np.random.Generator, size: int = 20_000) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(2, 11, size)
    return ["".join(rng.choice(letters, length)) for length in lengths]


def _text(words: list[str]) -> tuple[str, list[tuple[str, int, int]]]:
    """Words joined by spaces, with IMDB's `<br /><br />` now and then; spans of the words."""
    parts: list[str] = []
    spans: list[tuple[str, int, int]] = []
    position = 0
    for number, word in enumerate(words):
        separator = "" if number == 0 else (". <br /><br />" if number % 37 == 0 else " ")
        position += len(separator)
        parts.append(separator + word)
        spans.append((word, position, position + len(word)))
        position += len(word)
    return "".join(parts) + ".", spans


def _explanation(rng: np.random.Generator, vocabulary: list[str], zipf: np.ndarray) -> Explanation:
    count = int(min(2_000, max(10, rng.lognormal(5.35, 0.6))))
    words = [vocabulary[i] for i in rng.choice(len(vocabulary), count, p=zipf)]
    text, spans = _text(words)
    if len(text) > MAX_CHARS:
        text, spans = text[:MAX_CHARS], [s for s in spans if s[2] <= MAX_CHARS]
    read = spans[:MAX_TOKENS]
    weights = rng.dirichlet(np.full(len(read), 0.3)).astype(np.float32).tolist()
    per_class = [rng.dirichlet(np.full(len(read), 0.3)).astype(np.float32).tolist() for _ in CLASSES]
    tokens = [
        TokenWeight(word, start, end, weights[t], {c: per_class[k][t] for k, c in enumerate(CLASSES)})
        for t, (word, start, end) in enumerate(read)
    ]
    positive = float(np.float32(rng.beta(0.6, 0.6)))
    probabilities = {"negative": 1 - positive, "positive": positive}
    label = max(probabilities, key=lambda c: probabilities[c])
    return Explanation(text, label, probabilities, tokens, truncated=len(read) < len(spans))


def build(examples: int, seed: int) -> ReportData:
    rng = np.random.default_rng(seed)
    vocabulary = _vocabulary(rng)
    zipf = 1 / np.arange(1, len(vocabulary) + 1)
    zipf /= zipf.sum()
    explanations = [_explanation(rng, vocabulary, zipf) for _ in range(examples)]
    # about 88% right, like a good IMDB model
    truth = [e.label if rng.random() < 0.88 else CLASSES[1 - CLASSES.index(e.label)] for e in explanations]
    metrics = classification_report(truth, [e.label for e in explanations], CLASSES)
    provenance = Provenance("0.1.0", "synthetic", "0" * 64, "synthetic-imdb", "1" * 64, "2025-01-01T00:00:00Z")
    return ReportData("Synthetic IMDB-sized report", CLASSES, explanations, truth, metrics, provenance)


def _status_changes(page: Page, action: Callable[[], object]) -> float:
    """Seconds from `action` until the list shows other examples: "N of M examples" is back (not "reading
    ...") and the status line, the page number or the first example differs from before."""
    before = page.evaluate(_STATE)
    start = time.perf_counter()
    action()
    # a function, not a bare expression: the page's CSP forbids the eval a bare expression needs
    page.wait_for_function(
        f"before => {{ const now = ({_STATE})(); return now !== before && now.includes(' examples'); }}",
        arg=before,
        timeout=60_000,
    )
    return time.perf_counter() - start


def measure_browser(path: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        start = time.perf_counter()
        page.goto(path.as_uri(), wait_until="commit", timeout=120_000)
        page.wait_for_selector("#list > li .tok", state="visible", timeout=120_000)
        figures = {"first page visible (from goto)": time.perf_counter() - start}
        mark = "performance.getEntriesByName('attnviz-ready')[0].startTime / 1000"
        figures["first page drawn (performance mark, from navigation start)"] = page.evaluate(mark)
        misclassified = _status_changes(page, lambda: page.check("#misclassified"))
        figures["filter 'misclassified only' while the file is still being read"] = misclassified
        page.wait_for_selector("html[data-ready]", state="attached", timeout=120_000)
        figures["whole file read and parsed (from goto)"] = time.perf_counter() - start
        figures["filter: true class"] = _status_changes(page, lambda: page.select_option("#true-class", "1"))
        figures["go to page 2"] = _status_changes(page, lambda: page.click("#next"))
        figures["sort by loss"] = _status_changes(page, lambda: page.select_option("#sort", "loss-desc"))
        figures["first search (parses every text)"] = _status_changes(page, lambda: page.fill("#search", "ab"))
        browser.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="where to write the report (default: a temp file)")
    parser.add_argument("--no-browser", action="store_true", help="only time render_report")
    parser.add_argument("--open", type=Path, default=None, help="only measure this existing report in Chromium")
    options = parser.parse_args()
    if options.open is not None:
        for name, seconds in measure_browser(options.open).items():
            print(f"chromium, {name}: {seconds:.2f} s")
        return

    start = time.perf_counter()
    data = build(options.examples, options.seed)
    tokens = sum(len(e.tokens) for e in data.explanations)
    print(
        f"built {options.examples} explanations, {tokens / options.examples:.0f} tokens read on average, "
        f"{sum(e.truncated for e in data.explanations)} truncated ({time.perf_counter() - start:.1f} s)"
    )
    start = time.perf_counter()
    html = render_report(data)
    print(f"render_report: {time.perf_counter() - start:.2f} s")
    out = options.out or Path(tempfile.mkdtemp()) / "report.html"
    out.write_text(html, encoding="utf-8")
    print(f"file: {out} ({out.stat().st_size / 1e6:.1f} MB)")
    if not options.no_browser:
        for name, seconds in measure_browser(out).items():
            print(f"chromium, {name}: {seconds:.2f} s")


if __name__ == "__main__":
    main()

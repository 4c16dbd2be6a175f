"""Shared fixtures: a tiny corpus whose answer is obvious and a model trained on it once per session."""

from __future__ import annotations

import csv
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from attnviz.classifier import TextClassifier

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# Property tests check behaviour, not speed (speed goals are measured by benchmarks/): a per-example
# deadline only turns a busy CI machine's pauses into failures (a LaTeX escape once took 272 ms).
settings.register_profile("attnviz", deadline=None)
settings.load_profile("attnviz")

CUES = {
    "positive": ["great", "lovely", "wonderful", "delicious"],
    "negative": ["awful", "terrible", "rude", "boring"],
    "neutral": ["okay", "average", "ordinary", "fine"],
}
FILLERS = ["the food was", "our room was", "this film is", "the staff were", "my phone is", "the book was"]
TINY_SETTINGS = {
    "embedding_size": 16,
    "hidden_size": 16,
    "epochs": 25,
    "patience": 5,
    "seed": 0,
    "device": "cpu",
}


def make_tiny_corpus(size: int = 240, seed: int = 0) -> tuple[list[str], list[str]]:
    generator = random.Random(seed)
    texts, labels = [], []
    for index in range(size):
        label = sorted(CUES)[index % 3]
        text = f"{generator.choice(FILLERS)} {generator.choice(CUES[label])}"
        texts.append(text.capitalize() + generator.choice([".", "!", " today."]))
        labels.append(label)
    return texts, labels


@pytest.fixture(scope="session")
def tiny_corpus() -> tuple[list[str], list[str]]:
    return make_tiny_corpus()


@pytest.fixture(scope="session")
def tiny_csv(tmp_path_factory: pytest.TempPathFactory, tiny_corpus: tuple[list[str], list[str]]) -> Path:
    path = tmp_path_factory.mktemp("data") / "tiny.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(zip(*tiny_corpus, strict=True))
    return path


@pytest.fixture(scope="session")
def trained_folder(tmp_path_factory: pytest.TempPathFactory, tiny_corpus: tuple[list[str], list[str]]) -> Path:
    folder = tmp_path_factory.mktemp("models") / "tiny"
    TextClassifier(**TINY_SETTINGS).fit(*tiny_corpus).save(folder)
    return folder


@pytest.fixture
def classifier(trained_folder: Path) -> TextClassifier:
    """A fresh copy of the session's tiny model for each test."""
    return TextClassifier.load(trained_folder, device="cpu")


# Debian's chromium; Playwright's own browser download needs the internet.
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A real Chromium, one per test module: Playwright's sync API keeps an event loop running while it
    is open, which would break the asyncio tests that run after it."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need playwright: run `make test`, which installs it", pytrace=False)
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("the browser tests need chromium on PATH: run `make test`, which installs it", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield launched
        launched.close()

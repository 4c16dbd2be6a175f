"""The report in a real Chromium: filters, sorting, pages, per-class views, exact text and exact colours."""

from __future__ import annotations

import dataclasses
import io
import math
import os
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from attnviz.explanation import Explanation, TokenWeight
from attnviz.lexicon import attention_lexicon
from attnviz.metrics import classification_report
from attnviz.render.colors import (
    Scale,
    hex_colour,
    normalise_signed,
    normalise_weights,
    shade,
    shade_signed,
    text_colour,
    token_weights,
)
from attnviz.render.report_model import Provenance, ReportData
from tests.browser.conftest import ReportPage

OpenReport = Callable[..., ReportPage]
CLASSES = ["positive", "negative", "neutral"]


def words(text: str) -> list[str]:
    return text.split()


VOCABULARY = words("the film plot was great awful fine acting music boring lovely dull story cast ending")
PROVENANCE = Provenance("0.1.0", "reviews-model", "a1" * 32, "reviews.csv", "b2" * 32, "2025-01-02T03:04:05Z")
DOCS = Path(__file__).resolve().parents[2] / "docs"


def explanation(
    text: str, label: str, rng: random.Random, *, pattern: str = r"\w+", read: int | None = None
) -> Explanation:
    """Tokens at `pattern`'s matches; random float64 weights (used and per class) that sum to 1."""
    matches = list(re.finditer(pattern, text))
    kept = matches[:read]

    def spread() -> list[float]:
        raw = [rng.random() ** 3 for _ in kept]
        return [r / (sum(raw) or 1.0) for r in raw]

    used, per_class = spread(), {c: spread() for c in CLASSES}
    tokens = [
        TokenWeight(m.group(), m.start(), m.end(), used[t], {c: per_class[c][t] for c in CLASSES})
        for t, m in enumerate(kept)
    ]
    confidence = 0.34 + 0.65 * rng.random()
    others = [c for c in CLASSES if c != label]
    probabilities = {label: confidence, others[0]: (1 - confidence) * 0.7, others[1]: (1 - confidence) * 0.3}
    return Explanation(text, label, probabilities, tokens, truncated=len(kept) < len(matches))


def report_data(explanations: list[Explanation], truth: list[str] | None, title: str = "Reviews") -> ReportData:
    predicted = [e.label for e in explanations]
    metrics = classification_report(truth, predicted, CLASSES) if truth is not None else None
    return ReportData(title, CLASSES, explanations, truth, metrics, PROVENANCE)


@pytest.fixture(scope="module")
def corpus() -> ReportData:
    """130 labelled examples (3 pages): lengths, confidences and losses differ; every 5th is misclassified."""
    rng = random.Random(7)
    explanations, truth = [], []
    for i in range(130):
        words = [rng.choice(VOCABULARY) for _ in range(3 + (i * 7) % 29)]
        text = " ".join(words).capitalize() + rng.choice([".", "!", "?"])
        label = CLASSES[i % 3]
        explanations.append(explanation(text, label, rng, read=12 if i == 4 else None))
        truth.append(CLASSES[(i + 1) % 3] if i % 5 == 0 else label)
    return report_data(explanations, truth)


def expected_colours(
    e: Explanation, view: str | None = None, *, dark: bool = False, scale: Scale = "max"
) -> list[tuple[str, str]]:
    """(background, text colour) per token, straight from Python's colour model."""
    values = normalise_weights(token_weights(e, view), scale)
    shades = [shade(v, dark=dark) for v in values]
    return [(hex_colour(rgb), hex_colour(text_colour(rgb))) for rgb in shades]


def as_hex(css: str) -> str:
    r, g, b = (int(part) for part in re.findall(r"\d+", css)[:3])
    return hex_colour((r, g, b))


def assert_shown_as_in_python(report: ReportPage, data: ReportData, *, dark: bool = False) -> None:
    shown = report.examples()
    assert shown
    for example in shown:
        e = data.explanations[example["id"]]
        assert example["text"] == e.text
        got = [(as_hex(t["background"]), as_hex(t["color"])) for t in example["tokens"]]
        assert got == expected_colours(e, dark=dark, scale=data.scale)


def test_first_page_shows_fifty_examples_in_order_with_python_colours(
    open_report: OpenReport, corpus: ReportData
) -> None:
    report = open_report(corpus)
    assert report.status() == "130 of 130 examples"
    assert report.ids() == list(range(50))
    assert_shown_as_in_python(report, corpus)
    assert report.problems() == []


def test_dark_mode_uses_the_dark_palette(open_report: OpenReport, corpus: ReportData) -> None:
    report = open_report(corpus, color_scheme="dark")
    assert_shown_as_in_python(report, corpus, dark=True)
    background = report.page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert as_hex(background) == "#0d1117"


def test_fixed_scale_shades_the_raw_weights_as_python_does(open_report: OpenReport, corpus: ReportData) -> None:
    data = dataclasses.replace(corpus, scale="fixed")
    report = open_report(data)
    assert_shown_as_in_python(report, data)
    assert report.problems() == []


def test_pages_hold_one_page_of_heatmaps_at_a_time(open_report: OpenReport, corpus: ReportData) -> None:
    report = open_report(corpus)
    report.change(lambda: report.page.click("#next"))
    assert report.ids() == list(range(50, 100))
    assert report.page.locator("li.example").count() == 50

    def page_three() -> None:
        report.page.fill("#page", "3")
        report.page.press("#page", "Enter")

    report.change(page_three)
    assert report.ids() == list(range(100, 130))
    assert report.page.locator(".text").count() == 30
    assert report.page.is_disabled("#next")
    report.change(lambda: report.page.click("#prev"))
    assert report.ids()[0] == 50


def test_misclassified_and_class_filters(open_report: OpenReport, corpus: ReportData) -> None:
    assert corpus.true_labels is not None
    truth, predicted = corpus.true_labels, [e.label for e in corpus.explanations]
    report = open_report(corpus)
    report.change(lambda: report.page.check("#misclassified"))
    wrong = [i for i in range(130) if truth[i] != predicted[i]]
    assert report.status() == f"{len(wrong)} of 130 examples"
    assert report.ids() == wrong
    report.change(lambda: report.page.select_option("#true-class", "1"))
    assert report.ids() == [i for i in wrong if truth[i] == "negative"]
    report.change(lambda: report.page.click("#clear"))
    report.change(lambda: report.page.select_option("#pred-class", "2"))
    assert report.ids() == [i for i in range(130) if predicted[i] == "neutral"][:50]
    assert report.status() == f"{predicted.count('neutral')} of 130 examples"


def test_confusion_matrix_cell_lists_its_pair(open_report: OpenReport, corpus: ReportData) -> None:
    assert corpus.true_labels is not None
    report = open_report(corpus)
    report.change(lambda: report.page.click('button.cell[data-true="1"][data-pred="0"]'))
    expected = [
        i for i, e in enumerate(corpus.explanations) if corpus.true_labels[i] == "negative" and e.label == "positive"
    ]
    assert expected and report.ids() == expected
    assert report.page.input_value("#true-class") == "1" and report.page.input_value("#pred-class") == "0"


def test_lexicon_word_filters_to_its_examples_and_can_be_cleared(open_report: OpenReport, corpus: ReportData) -> None:
    entry = attention_lexicon(corpus.explanations)["negative"][0]
    report = open_report(corpus)
    button = report.page.locator('button.word[data-class="1"][data-word="0"]')
    assert button.locator("bdi").text_content() == entry.word
    report.change(button.click)
    assert report.status() == f"{len(entry.examples)} of 130 examples"
    assert report.ids() == sorted(entry.examples)[:50]
    chips = str(report.page.text_content("#chips"))
    assert entry.word in chips and "negative" in chips
    report.change(lambda: report.page.click("#chips button"))
    assert report.status() == "130 of 130 examples"


def test_search_is_a_case_insensitive_substring_match(open_report: OpenReport, corpus: ReportData) -> None:
    report = open_report(corpus)
    report.change(lambda: report.page.fill("#search", "GREAT FILM"))
    expected = [i for i, e in enumerate(corpus.explanations) if "great film" in e.text.lower()]
    assert expected and report.ids() == expected[:50]
    assert report.status() == f"{len(expected)} of 130 examples"


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("confidence-asc", lambda e, loss, i: (round(e.probabilities[e.label], 6), i)),
        ("confidence-desc", lambda e, loss, i: (-round(e.probabilities[e.label], 6), i)),
        ("loss-desc", lambda e, loss, i: (-loss, i)),
        ("length-desc", lambda e, loss, i: (-len(e.text), i)),
        ("length-asc", lambda e, loss, i: (len(e.text), i)),
    ],
)
def test_sorting_puts_the_right_example_first(
    open_report: OpenReport, corpus: ReportData, sort: str, key: Callable[[Explanation, float, int], tuple[float, int]]
) -> None:
    assert corpus.true_labels is not None
    losses = [
        round(-math.log(e.probabilities[t]), 6) for e, t in zip(corpus.explanations, corpus.true_labels, strict=True)
    ]
    expected = sorted(range(130), key=lambda i: key(corpus.explanations[i], losses[i], i))
    report = open_report(corpus)
    report.change(lambda: report.page.select_option("#sort", sort))
    assert report.ids()[0] == expected[0]
    assert report.ids() == expected[:50]
    report.change(lambda: report.page.click("#next"))
    assert report.ids() == expected[50:100]


def test_class_switch_recolours_only_that_example(open_report: OpenReport, corpus: ReportData) -> None:
    report = open_report(corpus)
    before = report.examples()
    report.page.locator("li.example").nth(1).locator("select").select_option("2")  # class "negative"
    after = report.examples()
    second = corpus.explanations[1]
    got = [(as_hex(t["background"]), as_hex(t["color"])) for t in after[1]["tokens"]]
    assert got == expected_colours(second, "negative")
    assert got != [(as_hex(t["background"]), as_hex(t["color"])) for t in before[1]["tokens"]]
    first = after[1]["tokens"][0]
    assert first["title"] == first["description"]
    assert float(first["title"].split()[1]) == pytest.approx(second.tokens[0].class_weights["negative"], rel=1e-2)
    assert [e["tokens"] for i, e in enumerate(after) if i != 1] == [e["tokens"] for i, e in enumerate(before) if i != 1]


def test_outline_marks_words_above_the_uniform_level(open_report: OpenReport, corpus: ReportData) -> None:
    report = open_report(corpus)
    report.page.check("#outline")
    for example in report.examples():
        tokens = corpus.explanations[example["id"]].tokens
        above = [t.weight > 1 / len(tokens) for t in tokens]
        assert [t["above"] for t in example["tokens"]] == above
        assert [t["outline"] == "solid" for t in example["tokens"]] == above


def test_truncated_tail_is_marked_and_weight_sum_is_shown(open_report: OpenReport, corpus: ReportData) -> None:
    report = open_report(corpus)
    shown = {example["id"]: example for example in report.examples()}
    truncated = corpus.explanations[4]
    assert shown[4]["tail"] == truncated.text[truncated.read_end :]
    assert "attention on the 12 words read: 100.0%" in shown[4]["note"]
    assert shown[0]["tail"] is None
    first = corpus.explanations[0].tokens[0]
    assert shown[0]["tokens"][0]["description"] == shown[0]["tokens"][0]["title"]
    assert shown[0]["tokens"][0]["title"].startswith("attention ")
    assert float(shown[0]["tokens"][0]["title"].split()[1]) == pytest.approx(first.weight, rel=1e-2)


HOSTILE = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "<svg onload=window.__pwned=1>",
    "</script><script>window.__pwned=1</script>",
    "<!-- open comment",
    "javascript:window.__pwned=1",
    "{{ 7*7 }}",
    "line\r\nwindows\rlone cr",
    "nul\x00here esc\x1b[31m",
    "bidi \u202eesrever\u202c and \u2066isolate\u2069",
    "emoji 😀 and 𝒜 astral, combining e\u0301",
    "\u2028line separator\u2029",
]


def test_hostile_texts_and_names_stay_text_exactly_and_nothing_runs(open_report: OpenReport) -> None:
    rng = random.Random(3)
    names = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=1</script>", "</textarea>"]
    texts = [f"{a} middle {b}" for a, b in zip(HOSTILE, reversed(HOSTILE), strict=True)]
    explanations = []
    for i, text in enumerate(texts):
        e = explanation(text, CLASSES[i % 3], rng, pattern=r"\S+", read=6 if i == 2 else None)
        renamed = [
            TokenWeight(t.text, t.start, t.end, t.weight, dict(zip(names, t.class_weights.values(), strict=True)))
            for t in e.tokens
        ]
        probabilities = dict(zip(names, e.probabilities.values(), strict=True))
        explanations.append(Explanation(text, names[i % 3], probabilities, renamed, e.truncated))
    truth = [names[(i + i % 2) % 3] for i in range(len(texts))]  # every other one misclassified
    metrics = classification_report(truth, [e.label for e in explanations], names)
    data = ReportData(HOSTILE[0], names, explanations, truth, metrics, PROVENANCE, notes=[HOSTILE[1]])
    report = open_report(data)
    assert [e["text"] for e in report.examples()] == texts
    report.page.locator("li.example").first.locator("select").select_option("1")
    report.change(lambda: report.page.check("#misclassified"))
    report.change(lambda: report.page.fill("#search", "<script>"))
    report.page.click("button.cell >> nth=1")
    assert report.page.evaluate("() => typeof window.__pwned") == "undefined"
    assert report.page.title() == HOSTILE[0]
    assert report.page.locator("script").count() == 2 + 2 + 1
    assert report.page.locator("img, svg, iframe").count() == 0
    assert report.problems() == []


FUNCTION_WORDS = set(words("a an and the i is it in of to was for that which by my as at"))


def _attention(surfaces: list[str], focus: set[str], rng: random.Random) -> list[float]:
    scores = [2.2 if w in focus else -1.0 if w in FUNCTION_WORDS else rng.gauss(0, 0.5) for w in surfaces]
    raw = [math.exp(score) for score in scores]
    return [r / sum(raw) for r in raw]


def _realistic() -> ReportData:
    """Review-like sentences with attention on the words that carry the sentiment."""
    reviews = [
        ("An absolutely wonderful film, the cast is brilliant and the music is lovely.", "positive", "positive"),
        ("I loved every minute; a charming, funny and moving story.", "positive", "positive"),
        ("The battery died after two days and support was rude and useless.", "negative", "negative"),
        ("Boring plot, wooden acting and an ending that made no sense.", "negative", "negative"),
        ("It arrived on Tuesday in a plain brown box.", "neutral", "neutral"),
        ("Great value for the price, works exactly as described.", "positive", "positive"),
        ("Not bad at all, though the middle drags a little.", "positive", "neutral"),
        ("The screen is stunning but the speakers are awful.", "neutral", "negative"),
        ("A dull, lifeless remake that wastes a terrific cast.", "negative", "negative"),
        ("The film runs two hours and was shot in Montreal.", "neutral", "neutral"),
        ("Superb performances; the best thriller I have seen this year.", "positive", "positive"),
        ("Terrible customer service, I want my money back.", "negative", "negative"),
        ("The manual is available in English and French.", "neutral", "neutral"),
        ("Fun for kids, although adults may find it a bit silly.", "positive", "positive"),
        ("I expected more; the sequel is weaker and far too long.", "negative", "neutral"),
        ("Solid build quality and a lovely, bright display.", "positive", "positive"),
        ("It broke the first time I used it. Awful.", "negative", "negative"),
        ("Delivery took a week, which is what they said.", "neutral", "positive"),
        ("A clever, beautifully shot and genuinely moving documentary.", "positive", "positive"),
        ("The plot is predictable and the jokes fall flat.", "negative", "negative"),
        ("Available in three colours and two sizes.", "neutral", "neutral"),
        ("Honestly the worst meal I have had in years.", "negative", "negative"),
        ("Great fun, brilliant soundtrack, would watch again.", "positive", "positive"),
        ("The instructions were fine but the glue was useless.", "negative", "neutral"),
        (
            "What starts as a gentle family drama becomes a wonderful, funny and surprisingly moving portrait of "
            "three sisters, carried by a brilliant cast, a lovely score and a script that trusts its audience; "
            "by the end I was in tears, and I have already recommended it to everyone I know who likes films "
            "about families, secrets and second chances, which is a longer list than you might think.",
            "positive",
            "positive",
        ),
    ]
    cues = {
        "positive": set(
            words("wonderful brilliant lovely loved charming funny moving great superb best fun solid clever")
        ),
        "negative": set(words("died rude useless boring wooden dull lifeless terrible awful worst weaker flat broke")),
        "neutral": set(words("arrived tuesday box runs montreal manual english available colours sizes week said")),
    }
    rng = random.Random(11)
    explanations, truth = [], []
    for text, label, predicted in reviews:
        matches = list(re.finditer(r"\w+", text))
        kept = matches[:40]

        surfaces = [m.group().lower() for m in kept]
        per_class = {c: _attention(surfaces, cues[c], rng) for c in CLASSES}
        used = _attention(surfaces, cues[predicted] | cues[label], rng)
        tokens = [
            TokenWeight(m.group(), m.start(), m.end(), used[t], {c: per_class[c][t] for c in CLASSES})
            for t, m in enumerate(kept)
        ]
        confidence = 0.55 + 0.4 * rng.random()
        rest = [c for c in CLASSES if c != predicted]
        probabilities = {predicted: confidence, rest[0]: (1 - confidence) * 0.6, rest[1]: (1 - confidence) * 0.4}
        probabilities = {c: probabilities[c] for c in CLASSES}
        explanations.append(Explanation(text, predicted, probabilities, tokens, truncated=len(kept) < len(matches)))
        truth.append(label)
    data = report_data(explanations, truth, title="Product and film reviews: attention report")
    return dataclasses.replace(data, notes=["Demo model trained on 2,400 reviews; test split shown."])


def test_screenshot_of_a_realistic_report(open_report: OpenReport, tmp_path: Path) -> None:
    from PIL import Image

    report = open_report(_realistic())
    assert report.problems() == []
    path = tmp_path / "report.png"
    report.page.emulate_media(media="print")  # examples off screen are skipped on screen, never in print
    report.page.screenshot(path=str(path), full_page=True)
    image = Image.open(path)
    assert image.format == "PNG" and image.width == 1200 and image.height > 1500
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # not blank: text, shades, bars
    if os.environ.get("ATTNVIZ_UPDATE_DOCS") == "1":
        buffer = io.BytesIO()
        # 256 colours keep the file small; octree without dithering keeps the blues blue and flat
        # The README shows the top: summary, lexicon, filters and the first examples.
        top = image.convert("RGB").crop((0, 0, image.width, min(image.height, 1700)))
        palette = top.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        palette.save(buffer, format="PNG", optimize=True)
        DOCS.mkdir(exist_ok=True)
        (DOCS / "report.png").write_bytes(buffer.getvalue())


def test_unlabelled_report_filters_by_prediction_without_errors(open_report: OpenReport, corpus: ReportData) -> None:
    data = dataclasses.replace(corpus, true_labels=None, metrics=None)
    report = open_report(data)
    assert report.page.locator("#misclassified, #true-class, .confusion").count() == 0
    report.change(lambda: report.page.select_option("#pred-class", "1"))
    assert report.ids() == [i for i, e in enumerate(data.explanations) if e.label == "negative"][:50]
    assert "true" not in str(report.page.text_content("li.example .facts"))
    assert report.problems() == []


METHOD_ROWS = """els => els.map(li => ({
    id: Number(li.dataset.id),
    rows: [...li.querySelectorAll('.methods .method-row')].map(row => ({
        method: row.dataset.method,
        name: row.querySelector('.method-name').textContent,
        text: row.querySelector('.method-text').textContent,
        tokens: [...row.querySelectorAll('.mtok')].map(s => ({
            title: s.title, description: s.getAttribute('aria-description'),
            background: getComputedStyle(s).backgroundColor, color: getComputedStyle(s).color,
        })),
    })),
}))"""


def with_signed_method(data: ReportData) -> ReportData:
    """`data` with leave-one-out (signed: alternating positive and negative scores) and gradient scores."""
    signed, unsigned = [], []
    for e in data.explanations:
        scores = [(-1) ** t * (t + 1) / len(e.tokens) for t in range(len(e.tokens))]
        signed.append(
            dataclasses.replace(e, tokens=[t._replace(weight=w) for t, w in zip(e.tokens, scores, strict=True)])
        )
        unsigned.append(dataclasses.replace(e, tokens=[t._replace(weight=t.weight / 2) for t in e.tokens]))
    return dataclasses.replace(data, method_explanations={"leave-one-out": signed, "gradient": unsigned})


def python_colours(weights: list[float], signed: bool) -> list[tuple[str, str]]:
    shades = (
        [shade_signed(v) for v in normalise_signed(weights)] if signed else list(map(shade, normalise_weights(weights)))
    )
    return [(hex_colour(rgb), hex_colour(text_colour(rgb))) for rgb in shades]


def test_methods_side_by_side_show_one_row_per_method_in_python_colours(
    open_report: OpenReport, corpus: ReportData
) -> None:
    data = with_signed_method(corpus)
    report = open_report(data)
    shown = report.page.eval_on_selector_all("li.example", METHOD_ROWS)
    assert len(shown) == 50
    for example in shown:
        position = example["id"]
        rows = {row["method"]: row for row in example["rows"]}
        assert [row["name"] for row in example["rows"]] == ["attention", "leave-one-out", "gradient"]
        assert all(row["text"] == data.explanations[position].text for row in example["rows"])
        for method, row in rows.items():
            explained = data.method_explanations.get(method, data.explanations)[position]
            weights = [t.weight for t in explained.tokens]
            got = [(as_hex(t["background"]), as_hex(t["color"])) for t in row["tokens"]]
            assert got == python_colours(weights, signed=method == "leave-one-out")
            assert all(t["title"] == t["description"] and t["title"].startswith(method + " ") for t in row["tokens"])
    first = rows_of(shown[0], "leave-one-out")
    assert float(first[1]["title"].split()[1]) < 0 < float(first[0]["title"].split()[1])
    positive, negative = (as_hex(first[t]["background"]) for t in (0, 1))
    assert int(positive[5:], 16) > int(positive[1:3], 16)  # blue: supports the predicted class
    assert int(negative[1:3], 16) > int(negative[5:], 16)  # red: speaks against it
    assert report.page.locator(".legend .signed-ramp").count() == 1
    assert_shown_as_in_python(report, data)  # the main heatmap is unchanged
    assert report.problems() == []


def rows_of(example: dict[str, Any], method: str) -> list[dict[str, Any]]:
    return next(row["tokens"] for row in example["rows"] if row["method"] == method)


def test_no_methods_block_without_extra_methods(open_report: OpenReport, corpus: ReportData) -> None:
    report = open_report(corpus)
    assert report.page.locator(".methods, .signed-ramp").count() == 0

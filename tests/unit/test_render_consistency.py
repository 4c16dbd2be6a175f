"""One colour model: every format gives each token the same colour and stores the same weight."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from PIL import Image

from attnviz.explanation import Explanation, Explanations, TokenWeight
from attnviz.render.colors import Scale, hex_colour, normalise, shade, shade_signed, token_colours
from attnviz.render.html import render_fragment
from attnviz.render.image import draw_figure, render_png, render_svg
from attnviz.render.latex import render_latex
from attnviz.render.table import render_token_csv
from attnviz.render.terminal import render_terminal

SVG = "{http://www.w3.org/2000/svg}"
TOKEN_ID = re.compile(r"attnviz-token-(\d+)-(\d+)-(\d+)")


def explanation(text: str, weights: list[float], pos: list[float], neg: list[float]) -> Explanation:
    tokens, start = [], 0
    for word, weight, p, n in zip(text.split(" "), weights, pos, neg, strict=True):
        tokens.append(TokenWeight(word, start, start + len(word), weight, {"pos": p, "neg": n}))
        start += len(word) + 1
    return Explanation(text, "pos", {"pos": 0.625, "neg": 0.375}, tokens)


EXPLANATIONS = [
    explanation(
        "the plot was slow but", [0.0, 0.1, 0.37, 1 / 3, 0.9], [0.2, 0.2, 0.2, 0.2, 0.2], [0.0, 0.5, 0.25, 0.05, 0.2]
    ),
    explanation("acting was great", [0.05, 0.15, 0.8], [0.1, 0.3, 0.6], [0.7, 0.2, 0.1]),
]


def expected(scale: Scale, view: str | None = None, *, dark: bool = False) -> list[list[str]]:
    return [[hex_colour(shade(v, dark=dark)) for v in normalise(e, scale, view=view)] for e in EXPLANATIONS]


def terminal_colours(scale: Scale, items: list[Explanation] = EXPLANATIONS) -> list[list[str]]:
    found = []
    for item in items:
        codes = re.findall(r"\x1b\[48;2;(\d+);(\d+);(\d+)m", render_terminal(item, color="truecolor", scale=scale))
        found.append([hex_colour((int(r), int(g), int(b))) for r, g, b in codes])
    return found


class TokenSpans(HTMLParser):
    """The style and data-weight of every `.attnviz-tok` span, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[dict[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if ("class", "attnviz-tok") in attrs:
            self.tokens.append(dict(attrs))


def split_by_example(flat: list[str], items: list[Explanation] = EXPLANATIONS) -> list[list[str]]:
    sizes = [len(e.tokens) for e in items]
    assert len(flat) == sum(sizes)
    return [flat[sum(sizes[:i]) : sum(sizes[: i + 1])] for i in range(len(sizes))]


def html_colours(scale: Scale, view: str | None = None, prefix: str = "--attnviz-bg:") -> list[list[str]]:
    styles = [span["style"] or "" for span in TokenSpans(render_fragment(EXPLANATIONS, scale=scale, view=view)).tokens]
    return split_by_example([m.group(1) for style in styles if (m := re.search(f"{prefix}(#[0-9a-f]{{6}})", style))])


def svg_colours(scale: Scale, view: str | None = None, items: list[Explanation] = EXPLANATIONS) -> list[list[str]]:
    found: list[list[str]] = [[] for _ in items]
    for group in ET.fromstring(render_svg(items, scale=scale, view=view)).iter(f"{SVG}g"):
        match = TOKEN_ID.fullmatch(group.get("id", ""))
        if match and match.group(3) == "0":
            path = group.find(f"{SVG}path")
            assert path is not None
            fill = re.search(r"fill: (#[0-9a-f]{6})", path.get("style", ""))
            assert fill is not None and int(match.group(2)) == len(found[int(match.group(1))])
            found[int(match.group(1))].append(fill.group(1))
    return found


def latex_colours(scale: Scale, view: str | None = None, items: list[Explanation] = EXPLANATIONS) -> list[list[str]]:
    source = render_latex(items, scale=scale, view=view)
    found: list[list[str]] = [[] for _ in items]
    for example, token, colour in re.findall(r"\\definecolor\{attnvizbg(\d+)-(\d+)\}\{HTML\}\{([0-9A-F]{6})\}", source):
        assert int(token) == len(found[int(example)])
        found[int(example)].append("#" + colour.lower())
    return found


def csv_rows(scale: Scale, items: list[Explanation] = EXPLANATIONS) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render_token_csv(items, scale=scale), newline="")))


def png_colours(scale: Scale, view: str | None = None, items: list[Explanation] = EXPLANATIONS) -> list[list[str]]:
    """The pixel in each token box's top band: inside the shade, above the glyphs and the outline."""
    drawing = draw_figure(items, scale=scale, view=view, dpi=200)
    image = Image.open(io.BytesIO(render_png(items, scale=scale, view=view, dpi=200))).convert("RGB")
    found: list[list[str]] = [[] for _ in items]
    for box in drawing.boxes:
        x, y = (box.x0 + box.x1) / 2, box.y0 + 0.12 * (box.y1 - box.y0)
        pixel = image.getpixel((int(x), int(y)))
        assert isinstance(pixel, tuple)
        assert all(abs(a - b) <= 2 for a, b in zip(pixel, shade_of(box.colour), strict=True)), (box, pixel)
        found[box.example].append(box.colour)
    return found


def shade_of(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.parametrize("scale", ["max", "fixed"])
def test_every_format_gives_each_token_the_same_colour(scale: Scale) -> None:
    want = expected(scale)
    assert terminal_colours(scale) == want
    assert html_colours(scale) == want
    assert html_colours(scale, prefix="--attnviz-bg-dark:") == expected(scale, dark=True)
    assert svg_colours(scale) == want
    assert latex_colours(scale) == want
    assert split_by_example([row["colour"] for row in csv_rows(scale)]) == want
    assert png_colours(scale) == want


@pytest.mark.parametrize("view", ["pos", "neg"])
def test_class_views_shade_alike_in_html_svg_latex_and_png(view: str) -> None:
    want = expected("max", view)
    assert want != expected("max")
    assert html_colours("max", view) == want
    assert svg_colours("max", view) == want
    assert latex_colours("max", view) == want
    assert png_colours("max", view) == want


def test_every_format_stores_the_same_weights() -> None:
    weights = [token.weight for item in EXPLANATIONS for token in item.tokens]
    rows = csv_rows("max")
    assert [float(row["weight"]) for row in rows] == weights
    assert [float(row["weight_neg"]) for row in rows] == [
        t.class_weights["neg"] for e in EXPLANATIONS for t in e.tokens
    ]
    stored = json.loads(json.dumps(Explanations(EXPLANATIONS).to_dicts()))
    assert [token["weight"] for item in stored for token in item["tokens"]] == weights
    spans = TokenSpans(render_fragment(EXPLANATIONS)).tokens
    assert [float(span["data-weight"] or "nan") for span in spans] == pytest.approx(weights, rel=1e-6)
    assert [span["title"] for span in spans] == [f"attention {w:.3f}" for w in weights]
    assert [span["aria-description"] for span in spans] == [f"attention {w:.3f}" for w in weights]
    latex = [float(w) for w in re.findall(r"% weight (\S+)", render_latex(EXPLANATIONS))]
    assert latex == weights


@pytest.mark.parametrize("scale", ["max", "fixed"])
def test_shades_in_the_table_are_the_normalised_values(scale: Scale) -> None:
    values = [v for item in EXPLANATIONS for v in normalise(item, scale)]
    assert [float(row["shade"]) for row in csv_rows(scale)] == values


def test_explanations_list_renders_one_fragment_with_one_legend() -> None:
    html = Explanations(EXPLANATIONS)._repr_html_()
    assert html == render_fragment(EXPLANATIONS)
    assert html.count('class="attnviz-legend"') == 1 and html.count('class="attnviz-block"') == 2


def signed(item: Explanation, scores: list[float]) -> Explanation:
    tokens = [token._replace(weight=score) for token, score in zip(item.tokens, scores, strict=True)]
    return dataclasses.replace(item, tokens=tokens, method="integrated-gradients")


SIGNED = [signed(EXPLANATIONS[0], [-0.4, 0.1, 0.8, 0.0, -0.2]), signed(EXPLANATIONS[1], [0.3, -0.6, 0.05])]


@pytest.mark.parametrize("scale", ["max", "fixed"])
def test_signed_scores_are_red_to_blue_alike_in_every_format(scale: Scale) -> None:
    want = [[hex_colour(rgb) for rgb in token_colours(item, scale)] for item in SIGNED]
    # scaled by each text's largest absolute score, whatever the attention scale
    assert want[0][0] == hex_colour(shade_signed(-0.5)) and want[1][1] == hex_colour(shade_signed(-1.0))
    assert want[0][2] == hex_colour(shade_signed(1.0)) and want[0][3] == hex_colour(shade_signed(0.0))
    assert terminal_colours(scale, SIGNED) == want
    assert svg_colours(scale, items=SIGNED) == want
    assert latex_colours(scale, items=SIGNED) == want
    assert png_colours(scale, items=SIGNED) == want
    rows = csv_rows(scale, SIGNED)
    assert split_by_example([row["colour"] for row in rows], SIGNED) == want
    assert [float(row["shade"]) for row in rows] == [-0.5, 0.125, 1.0, 0.0, -0.25, 0.5, -1.0, 0.05 / 0.6]


def test_class_views_of_a_signed_method_show_attention_on_the_sequential_palette() -> None:
    with_views = [dataclasses.replace(item, method="integrated-gradients") for item in EXPLANATIONS]
    assert svg_colours("max", "neg", with_views) == expected("max", "neg")
    assert latex_colours("max", "neg", with_views) == expected("max", "neg")

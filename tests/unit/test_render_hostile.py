"""Hostile text in every format (property-based): it stays text and can never become markup or code."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attnviz.explanation import Explanation, TokenWeight
from attnviz.render import latex
from attnviz.render.html import render_fragment, render_page
from attnviz.render.image import render_svg
from attnviz.render.terminal import render_terminal
from tests.unit.test_render_html import Parsed

PIECES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "<!--",
    "-->",
    "</textarea>",
    "</style>",
    "<![CDATA[",
    "]]>",
    "{{ 7*7 }}",
    "{% raw %}",
    "{# x #}",
    "javascript:alert(1)",
    "\u202e",
    "\u2066",
    "\u2069",
    "\x00",
    "\x1b[2J",
    "\x1b]0;owned\x07",
    "\r",
    "\r\n",
    "\x7f",
    "\x9b",
    "\\",
    "$",
    "&",
    "&amp;",
    "#",
    "^",
    "_",
    "%",
    "~",
    "{",
    "}",
    "\\end{document}",
    "\\input{/etc/passwd}",
    " ",
    "\n",
    "\t",
]
HOSTILE = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=10).map("".join)
TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "div", "span", "section", "bdi", "ul", "li", "p"}
TAGS |= {"details", "summary"}
ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "class", "style", "title", "data-weight", "dir"}
ATTRIBUTES |= {"data-class", "data-code", "aria-description"}
STYLE = re.compile(
    r"--attnviz-bg:#[0-9a-f]{6};--attnviz-fg:#[0-9a-f]{6};--attnviz-bg-dark:#[0-9a-f]{6};--attnviz-fg-dark:#[0-9a-f]{6}"
    r"|width:\d{1,3}\.\d%"
)
SGR = re.compile(r"\x1b\[(?:0|2|[34]8;2;\d+;\d+;\d+|[34]8;5;\d+)m")
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LATEX_ESCAPES = re.compile(
    r"\\(?:[{}$&#_%]|`\{\}|text(?:backslash|asciicircum|asciitilde|less|greater|bar|quotedbl|quotesingle)\{\})"
    r"|\{\[\}|\{\]\}|(?<=[-,])\{\}(?=[-,])"
)
LATEX_COMMANDS = {"definecolor", "attnviztok", "attnvizmark", "attnvizswatch", "noindent", "textbf", "quad"}
LATEX_COMMANDS |= {"hfill", "par", "small", "medskip", "linespread", "selectfont", "color"}
LATEX_COMMANDS |= {"mbox", "newline", "itshape", "textit"}
# What matplotlib writes into an SVG: no script, no foreignObject, no links.
SVG_TAGS = {"svg", "metadata", "RDF", "Work", "type", "format", "creator", "Agent", "title", "defs", "style", "g"}
SVG_TAGS |= {"path", "text", "clipPath", "use"}


def explain(text: str, truncate: bool, label: str = "pos", other: str = "neg") -> Explanation:
    matches = list(re.finditer(r"\S+", text))
    if truncate:
        matches = matches[:2]
    tokens = [TokenWeight(m.group(), m.start(), m.end(), (i % 4) / 3, {label: 0.5}) for i, m in enumerate(matches)]
    probabilities = {label: 0.75, other: 0.25} if label != other else {label: 1.0}
    return Explanation(text, label, probabilities, tokens, truncated=truncate)


def check_html(html: str, text: str | None) -> None:
    parsed = Parsed(html)
    assert {tag for tag, _ in parsed.tags} <= TAGS
    names = [name for _, attrs in parsed.tags for name, _ in attrs]
    assert set(names) <= ATTRIBUTES and not [name for name in names if name.startswith("on")]
    assert all(STYLE.fullmatch(value or "") for _, attrs in parsed.tags for name, value in attrs if name == "style")
    if text is not None:  # the text (not the labels) is hostile: no attribute may carry any of it
        assert not [value for _, attrs in parsed.tags for _, value in attrs if value and "javascript:" in value]
        assert parsed.texts and all(block == text for block in parsed.texts)


@settings(max_examples=150, deadline=None)
@given(HOSTILE, st.booleans())
def test_html_fragment_and_page_keep_hostile_text_as_exactly_that_text(text: str, truncate: bool) -> None:
    explanation = explain(text, truncate)
    check_html(render_fragment([explanation]), text)
    check_html(render_page([explanation], title=text), text)


@settings(max_examples=80, deadline=None)
@given(HOSTILE, HOSTILE)
def test_html_keeps_hostile_labels_and_class_names_inert(label: str, other: str) -> None:
    explanation = explain("a fine film", False, label, other)
    check_html(render_page([explanation], title=label), None)
    check_html(render_fragment([explanation]), None)


@settings(max_examples=150, deadline=None)
@given(HOSTILE, st.booleans())
def test_terminal_output_carries_only_our_own_escape_sequences(text: str, truncate: bool) -> None:
    explanation = explain(text, truncate, label=text or "x", other="neg")
    for color in ("truecolor", "256", "none"):
        output = SGR.sub("", render_terminal(explanation, color=color))  # type: ignore[arg-type]
        assert not UNSAFE.search(output) and "\x1b" not in output


def latex_body(text: str, truncate: bool) -> str:
    """The fragment after its macro definitions (which use #1 on purpose)."""
    fragment = latex.latex_fragment([explain(text, truncate, label=text or "x", other="neg")])
    return fragment.split("\\definecolor{attnvizgrey}{HTML}{6E7781}\n", 1)[1]


@settings(max_examples=150, deadline=None)
@given(HOSTILE, st.booleans())
def test_latex_body_has_no_unescaped_special(text: str, truncate: bool) -> None:
    body = latex_body(text, truncate)
    assert all(c == "\n" or latex._typesettable(ord(c)) for c in body)  # no controls, nothing pdflatex lacks
    assert "\n\n" not in body  # no paragraph break inside a macro argument
    rest = LATEX_ESCAPES.sub("", body)
    rest = re.sub(r"%( weight \S+)?$", "", rest, flags=re.M)  # our own comments, at line ends only
    assert not set(rest) & set("$&#^_~%")
    assert set(re.findall(r"\\([A-Za-z]+)", rest)) <= LATEX_COMMANDS
    assert not re.search(r"\\[^A-Za-z]", rest)  # every other backslash was an escape removed above
    depth = 0
    for character in rest:
        depth += {"{": 1, "}": -1}.get(character, 0)
        assert depth >= 0
    assert depth == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE, st.booleans())
def test_svg_is_well_formed_and_holds_only_what_matplotlib_draws(text: str, truncate: bool) -> None:
    root = ET.fromstring(render_svg([explain(text, truncate, label=text or "x", other="neg")], width=4))
    assert {element.tag.rsplit("}", 1)[-1] for element in root.iter()} <= SVG_TAGS
    assert not [name for element in root.iter() for name in element.attrib if name.lower().startswith("on")]
    assert not [element for element in root.iter() if "href" in "".join(element.attrib)]
    texts = "".join("".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}text"))
    assert not UNSAFE.search(texts)

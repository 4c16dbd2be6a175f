"""LaTeX output: compiles with pdflatex whatever the text, escapes every special, shares the colours."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attnviz.errors import DataError
from attnviz.explanation import Explanation, TokenWeight
from attnviz.render.colors import hex_colour, normalise, shade, text_colour
from attnviz.render.latex import escape_latex, latex_fragment, render_latex

SPECIALS = "\\{}$&#^_%~<>|\"'`[]"
ESCAPES = re.compile(
    r"\\(?:[{}$&#_%]|`\{\}|text(?:backslash|asciicircum|asciitilde|less|greater|bar|quotedbl|quotesingle)\{\})"
    r"|\{\[\}|\{\]\}|\\attnvizmark\{U\+[0-9A-F]{4,6}\}|(?<=[-,])\{\}(?=[-,])"
)
# Every code point from NUL to the end of Latin Extended-B, general punctuation, and what pdflatex cannot
# print: CJK, emoji, Greek, Cyrillic, Arabic, surrogates and non-characters.
EVERYTHING = "".join(chr(c) for c in [*range(0x250), *range(0x2000, 0x2070)])
EVERYTHING += "日本語 😀 👍🏽 Ωμέγα кириллица عربى \ud800 \ufffe\uffff \u200b\u00ad"


def pdflatex() -> str:
    """pdflatex's path; a missing one fails the test (make test installs it) unless ATTNVIZ_SKIP_LATEX=1."""
    path = shutil.which("pdflatex")
    if path is None:
        if os.environ.get("ATTNVIZ_SKIP_LATEX") == "1":
            pytest.skip("pdflatex not installed and ATTNVIZ_SKIP_LATEX=1")
        pytest.fail(
            "pdflatex is not on PATH: install texlive-latex-base texlive-latex-recommended "
            "texlive-fonts-recommended (as the Makefile does), or set ATTNVIZ_SKIP_LATEX=1 to skip this test"
        )
    return path


def compile_ok(source: str, folder: Path) -> subprocess.CompletedProcess[str]:
    (folder / "doc.tex").write_text(source, encoding="utf-8")
    command = [pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, errors="replace", timeout=120)


def by_words(text: str, truncate_after: int | None = None, **kwargs: object) -> Explanation:
    matches = list(re.finditer(r"\S+", text))[:truncate_after]
    tokens = [
        TokenWeight(m.group(), m.start(), m.end(), (i % 6) / 5, {"neg": (i % 4) / 4}) for i, m in enumerate(matches)
    ]
    fields: dict[str, object] = {"label": "pos", "probabilities": {"pos": 0.8, "neg": 0.2}}
    fields.update(kwargs)
    return Explanation(text, tokens=tokens, truncated=truncate_after is not None, **fields)  # type: ignore[arg-type]


def test_document_with_every_special_control_cjk_and_emoji_compiles(tmp_path: Path) -> None:
    hostile = f"{SPECIALS} -- ,, \x00\x1b[2J\x7f \u202eevil\u202c {EVERYTHING}\nline two\r\nthree\rfour\n\n\n  five"
    explanations = [
        by_words(f"plain words {hostile}", label=SPECIALS, probabilities={SPECIALS: 0.6, "日本": 0.4}),
        by_words(hostile.replace(" ", ""), truncate_after=3),  # one huge token, then the grey tail
        by_words(hostile, truncate_after=40),
        Explanation("", "neg", {"neg": 1.0}, []),
        Explanation(" \n ", "neg", {"neg": 1.0}, []),
        by_words("日本語" * 4000 + " end"),  # markers past TeX's 200,000-character source line limit
    ]
    for scale in ("max", "fixed"):
        source = render_latex(explanations, scale=scale, title=f"title {SPECIALS} 日本 \x00")  # type: ignore[arg-type]
        result = compile_ok(source, tmp_path)
        assert result.returncode == 0, result.stdout[-3000:]
        assert (tmp_path / "doc.pdf").stat().st_size > 1000


def test_fragment_compiles_in_a_paper_that_loads_only_xcolor(tmp_path: Path) -> None:
    fragment = latex_fragment([by_words("good {film} $5 100% 日本", label="pos")], view="neg")
    paper = "\\documentclass{article}\n\\usepackage{xcolor}\n\\begin{document}\n" + fragment + "\\end{document}\n"
    result = compile_ok(paper, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]


def test_empty_list_compiles_and_says_so(tmp_path: Path) -> None:
    source = render_latex([])
    assert "No explanations." in source
    assert compile_ok(source, tmp_path).returncode == 0


@pytest.mark.parametrize("character", list(SPECIALS))
def test_each_special_is_escaped(character: str) -> None:
    escaped = escape_latex(character)
    assert escaped != character
    assert not set(ESCAPES.sub("", escaped)) & set(SPECIALS)


@given(st.text())
def test_escaped_text_has_no_bare_special_no_control_and_balanced_braces(text: str) -> None:
    escaped = escape_latex(text)
    rest = ESCAPES.sub("", escaped).replace("%\n", "")  # a comment that only ends a long source line
    assert not set(rest) & set(SPECIALS)
    assert all(0x20 <= ord(c) <= 0x7E or 0xA0 <= ord(c) <= 0x17E or 0x2013 <= ord(c) <= 0x2122 for c in rest)
    depth = 0
    for character in re.sub(r"\\[{}]", "", escaped):  # the braces left are ours and must nest
        depth += {"{": 1, "}": -1}.get(character, 0)
        assert depth >= 0
    assert depth == 0


def test_unprintable_characters_become_visible_code_point_markers() -> None:
    assert escape_latex("a\x00日😀") == r"a\attnvizmark{U+0000}\attnvizmark{U+65E5}\attnvizmark{U+1F600}"
    assert escape_latex("naïve Łódź €") == "naïve Łódź €"
    assert "[U+XXXX]" in (render_latex.__doc__ or "")


def test_ligatures_are_broken_so_the_text_prints_as_written() -> None:
    assert escape_latex("a--b,,c") == "a-{}-b,{},c"
    assert escape_latex("<<") == r"\textless{}\textless{}"


def test_token_colours_come_from_the_shared_model_in_token_order() -> None:
    explanation = by_words("the plot was slow but the acting was great")
    source = render_latex([explanation])
    found = re.findall(r"\\definecolor\{attnvizbg0-(\d+)\}\{HTML\}\{([0-9A-F]{6})\}", source)
    backgrounds = [shade(v) for v in normalise(explanation, "max")]
    assert [int(i) for i, _ in found] == list(range(len(explanation.tokens)))
    assert ["#" + colour.lower() for _, colour in found] == [hex_colour(b) for b in backgrounds]
    texts = re.findall(r"\\definecolor\{attnvizfg0-\d+\}\{HTML\}\{([0-9A-F]{6})\}", source)
    assert ["#" + colour.lower() for colour in texts] == [hex_colour(text_colour(b)) for b in backgrounds]
    weights = [float(w) for w in re.findall(r"% weight (\S+)", source)]
    assert weights == [token.weight for token in explanation.tokens]


def test_view_shades_a_class_and_unknown_views_are_rejected() -> None:
    explanation = by_words("a b c d")
    source = latex_fragment([explanation], view="neg")
    found = re.findall(r"\\definecolor\{attnvizbg0-\d+\}\{HTML\}\{([0-9A-F]{6})\}", source)
    assert ["#" + c.lower() for c in found] == [hex_colour(shade(v)) for v in normalise(explanation, view="neg")]
    with pytest.raises(DataError, match="not a class"):
        latex_fragment([explanation], view="nope")


def test_spaces_between_tokens_stay_outside_the_boxes_so_lines_can_break() -> None:
    source = latex_fragment([by_words("good  film\tnow")])
    assert "\\attnviztok{0-0}{good}\n\\attnviztok{0-1}{film}\n\\attnviztok{0-2}{now}" in source


def test_newlines_break_lines_without_starting_paragraphs() -> None:
    source = latex_fragment([by_words("one\n\ntwo\r\n  three")])
    assert source.count("\\newline") == 3
    assert "\n\n" not in source  # an empty line would be a paragraph break


def test_truncated_tail_is_grey_and_explained() -> None:
    source = latex_fragment([by_words("one two three four", truncate_after=2)])
    assert "{\\color{attnvizgrey}\nthree\nfour}" in source
    assert "the model read the first 2 words" in source


def test_legend_names_the_scale_and_the_uniform_level() -> None:
    assert "per-text maximum" in latex_fragment([by_words("a b")])
    fixed = latex_fragment([by_words("a b c d")], scale="fixed")
    assert "fixed 0-1" in fixed and "uniform 1/4 = 0.250" in fixed


def test_bad_scale_is_rejected() -> None:
    with pytest.raises(ValueError, match="scale"):
        render_latex([], scale="log")  # type: ignore[arg-type]


def test_signed_scores_get_their_own_legend_and_compile(tmp_path: Path) -> None:
    attention = by_words("not bad at all")
    weights = [-0.5, 1.0, 0.0, 0.2]
    scores = [token._replace(weight=weight) for token, weight in zip(attention.tokens, weights, strict=True)]
    signed = Explanation(attention.text, "pos", {"pos": 0.8, "neg": 0.2}, scores, method="leave-one-out")
    source = render_latex([signed, attention])
    assert "\\textbf{Signed}" in source and "red words speak against it" in source and "ColorBrewer RdBu" in source
    assert "\\attnvizswatch{attnvizsigned}{0}{-1}" in source
    assert "\\textbf{Signed}" not in render_latex([attention]) and "Signed" not in render_latex([signed], view="neg")
    assert compile_ok(source, tmp_path).returncode == 0

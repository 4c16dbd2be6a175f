from __future__ import annotations

import math

from attnviz.explanation import Explanation, TokenWeight
from attnviz.metrics.agreement import Agreement
from attnviz.render.scorecard import render_scorecard
from attnviz.scorecard_model import DeletionCheck, Disagreement, Estimate, MethodScores, Scorecard
from tests.unit.test_render_html import Parsed

HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(2)> "quoted" &amp; \u202eevil'


def hostile_explanation(method: str) -> Explanation:
    tokens = [
        TokenWeight("<script>alert(1)</script>", 0, 25, 0.7),
        TokenWeight("evil", len(HOSTILE) - 4, len(HOSTILE), 0.3),
    ]
    return Explanation(HOSTILE, "<b>pos</b>", {"<b>pos</b>": 0.9, "neg": 0.1}, tokens, method=method)


def card() -> Scorecard:
    undefined = Agreement(math.nan, math.nan, math.nan, 0, ())
    scores = {
        name: MethodScores(
            name, Estimate(0.4, 0.3, 0.5), Estimate(0.1, math.nan, 0.2), {0.5: 0.4}, {0.5: 0.1},
            [0.9, 0.5, math.nan], 1.0, None if name == "attention" else undefined,
        )
        for name in ("attention", "leave-one-out")
    }  # fmt: skip
    example = Disagreement(
        index=0, tau=-0.5, true_label="<i>neg</i>", deletion=DeletionCheck(["<script>alert(1)</script>"], "neg", 0.2),
    )  # fmt: skip
    return Scorecard(
        title="<title>card</title>", examples=1, accuracy=None, methods=scores,
        jain_wallace={"leave-one-out": Agreement(0.1, 0.2, 0.0, 1, (0.1,))},
        attention={"entropy_mean": 0.5, "entropy_of_uniform_mean": 0.7, "permutation_median_change": 0.01},
        disagreements=[example], aopc_fractions=(0.5,), deletion_fractions=(0.0, 0.5, 1.0), footer={"model": "<m>"},
        explanations={name: [hostile_explanation(name)] for name in scores},
    )  # fmt: skip


def test_user_text_is_escaped_and_kept_exactly() -> None:
    page = render_scorecard(card())
    parsed = Parsed(page)
    assert parsed.texts == [HOSTILE, HOSTILE]  # one heatmap per method, the text exactly as given
    assert {tag for tag, _ in parsed.tags}.isdisjoint({"script", "img", "b", "i", "iframe"})
    assert "&lt;title&gt;card&lt;/title&gt;" in page and "&lt;m&gt;" in page
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name, _ in attrs)


def test_undefined_figures_read_as_not_available() -> None:
    page = render_scorecard(card())
    assert "nan" not in page.lower().replace("n/a", "")
    assert "0.100 [n/a, 0.200]" in page
    assert card().to_json()["methods"]["attention"]["sufficiency_aopc_ci"] == [None, 0.2]

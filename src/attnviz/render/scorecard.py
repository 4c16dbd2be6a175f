"""The faithfulness report card as one standalone HTML page: tables, deletion curves as inline SVG, and the
examples where attention and the other methods disagree most, side by side. No script; nothing loads."""

from __future__ import annotations

import math
from dataclasses import dataclass

from attnviz.render.html import PAGE_CONTENT_SECURITY_POLICY, class_view, environment
from attnviz.scorecard_model import Estimate, Scorecard

# Okabe & Ito's colour-blind-safe qualitative palette, one colour a method, greys for the baselines.
LINE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
BASELINE_COLOURS = {"random": "#999999", "uniform": "#BBBBBB"}
WIDTH, HEIGHT, MARGIN = 520, 260, 40


@dataclass(frozen=True)
class _Line:
    method: str
    colour: str
    points: str  # SVG polyline points, from our own numbers
    dashed: bool


def _number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _spread(mean: float, std: float) -> str:
    return "n/a" if not math.isfinite(mean) else f"{_number(mean)} ± {_number(std)}"


def _percent(fraction: float) -> str:
    return "n/a" if not math.isfinite(fraction) else f"{100 * fraction:.0f} %"


def _estimate(value: Estimate) -> str:
    return f"{_number(value.mean)} [{_number(value.low)}, {_number(value.high)}]"


def _lines(card: Scorecard) -> list[_Line]:
    lines, colours = [], iter(LINE_COLOURS)
    for name, scores in card.methods.items():
        points = " ".join(
            f"{MARGIN + fraction * (WIDTH - 2 * MARGIN):.1f},{HEIGHT - MARGIN - value * (HEIGHT - 2 * MARGIN):.1f}"
            for fraction, value in zip(card.deletion_fractions, scores.deletion_curve, strict=True)
            if math.isfinite(value)
        )
        colour = BASELINE_COLOURS.get(name) or next(colours, "#444444")
        lines.append(_Line(name, colour, points, name in BASELINE_COLOURS))
    return lines


def _rows(card: Scorecard) -> list[dict[str, str]]:
    rows = []
    for name, scores in card.methods.items():
        agreement, plausible = scores.agreement_with_attention, scores.plausibility
        rows.append(
            {
                "method": name,
                "comprehensiveness": _estimate(scores.comprehensiveness_aopc),
                "sufficiency": _estimate(scores.sufficiency_aopc),
                "tau": "" if agreement is None else _spread(agreement.mean, agreement.std),
                "significant": "" if agreement is None else _percent(agreement.significant_fraction),
                "auprc": "" if plausible is None else _number(plausible.auprc),
                "token_f1": "" if plausible is None else _number(plausible.token_f1),
                "iou_f1": "" if plausible is None else _number(plausible.iou_f1),
                "seconds": _number(scores.seconds, 1),
            }
        )
    return rows


def _examples(card: Scorecard) -> list[dict[str, object]]:
    examples = []
    for item in card.disagreements:
        attention = card.explanations["attention"][item.index]
        examples.append(
            {
                "number": item.index + 1,
                "tau": _number(item.tau),
                "true_label": item.true_label,
                "views": [(method, class_view(e[item.index], "max", None)) for method, e in card.explanations.items()],
                "label": attention.label,
                "probability": _number(attention.probabilities[attention.label]),
                "deletion": item.deletion,
                "deletion_probability": _number(item.deletion.probability),
            }
        )
    return examples


def render_scorecard(card: Scorecard) -> str:
    """The card as a standalone page; every text, label and method name goes through autoescaping."""
    template = environment().get_template("scorecard.html.j2")
    return template.render(
        card=card,
        csp=PAGE_CONTENT_SECURITY_POLICY,
        accuracy=_number(card.accuracy, 4),
        rows=_rows(card),
        has_plausibility=any(s.plausibility is not None for s in card.methods.values()),
        jain_wallace=[
            (name, _number(a.mean), _number(a.std), _percent(a.significant_fraction), a.examples)
            for name, a in card.jain_wallace.items()
        ],
        attention={key: _number(value) for key, value in card.attention.items()},
        lines=_lines(card),
        size={"width": WIDTH, "height": HEIGHT, "margin": MARGIN},
        ticks=[
            (f"{t:g}", MARGIN + t * (WIDTH - 2 * MARGIN), HEIGHT - MARGIN - t * (HEIGHT - 2 * MARGIN))
            for t in (0, 0.5, 1)
        ],
        examples=_examples(card),
        footer=card.footer,
    )

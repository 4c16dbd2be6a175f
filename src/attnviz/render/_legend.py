"""Legend wording shared by the picture formats (PNG/SVG and LaTeX), so they describe the scale alike."""

from __future__ import annotations

from collections.abc import Sequence

from attnviz.explanation import Explanation
from attnviz.render.colors import DIVERGING_PALETTE_NAME, PALETTE_NAME, Scale, is_signed

LEGEND_STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)
SIGNED_STEPS = (-1.0, -0.5, 0.0, 0.5, 1.0)
SIGNED_TEXT = (
    "Signed scores (gradient x input, integrated gradients, leave-one-out): blue words support the "
    "predicted class, red words speak against it; each text is scaled by its largest absolute score."
)
SCALE_NAMES: dict[str, str] = {"max": "per-text maximum", "fixed": "fixed 0-1"}
_SCALE_TEXT = {
    "max": "each text is divided by its own largest weight, so its most attended word is the darkest and "
    "uniform attention would shade every word fully; shades are not comparable between texts.",
    "fixed": "shade = raw attention weight, comparable between texts; attention sums to 1, so a text of n "
    "words with uniform attention has every word at 1/n.",
}


def legend_sentence(scale: Scale) -> str:
    """One plain-ASCII sentence naming the scale and what uniform attention looks like on it."""
    return f"Darker = more attention. Scale: {SCALE_NAMES[scale]}: {_SCALE_TEXT[scale]} Palette: {PALETTE_NAME}."


def signed_sentence() -> str:
    """The signed scores' legend as one plain-ASCII sentence, with its palette."""
    return f"{SIGNED_TEXT} Palette: {DIVERGING_PALETTE_NAME}."


def any_signed(explanations: Sequence[Explanation], view: str | None) -> bool:
    """Whether any of the explanations is drawn with the signed palette (and needs its legend)."""
    return any(is_signed(explanation, view) for explanation in explanations)


def method_note(explanation: Explanation) -> str:
    """`weights by <method>` for any method but attention (whose weights the legend already names), else ''."""
    return "" if explanation.method == "attention" else f"weights by {explanation.method}"


def uniform_levels(explanations: Sequence[Explanation]) -> list[int]:
    """The distinct token counts n (> 0) of the explanations, ascending: where 1/n sits on a fixed scale."""
    return sorted({len(explanation.tokens) for explanation in explanations} - {0})


def uniform_note(explanation: Explanation, scale: Scale) -> str:
    """`uniform 1/n = 0.083` for one text on the fixed scale (where the level means something), else ''."""
    count = len(explanation.tokens)
    if scale != "fixed" or count == 0:
        return ""
    return f"uniform 1/{count} = {1 / count:.3f}"

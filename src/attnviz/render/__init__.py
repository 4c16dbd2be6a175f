"""Draw explanations: HTML (a notebook fragment or a standalone page) and shaded terminal text.

Depends only on `attnviz.explanation` and Jinja2; never imports torch, so rendering saved explanations
needs no model.
"""

from attnviz.render.colors import contrast_ratio, hex_colour, normalise, shade, text_colour
from attnviz.render.html import render_fragment, render_page
from attnviz.render.terminal import describe_weights, render_terminal

__all__ = [
    "contrast_ratio",
    "describe_weights",
    "hex_colour",
    "normalise",
    "render_fragment",
    "render_page",
    "render_terminal",
    "shade",
    "text_colour",
]

"""Draw explanations: HTML (a notebook fragment or a standalone page), shaded terminal text, PNG/SVG
pictures, LaTeX and a token table (CSV), all from the one colour model in `colors`.

Depends only on `attnviz.explanation`, Jinja2 and (imported only when a picture is drawn) matplotlib;
never imports torch, so rendering saved explanations needs no model.
"""

from attnviz.render.colors import contrast_ratio, hex_colour, normalise, shade, text_colour
from attnviz.render.html import render_fragment, render_page
from attnviz.render.image import draw_figure, render_png, render_svg
from attnviz.render.latex import escape_latex, latex_fragment, render_latex
from attnviz.render.table import iter_token_csv, render_token_csv
from attnviz.render.terminal import describe_weights, render_terminal

__all__ = [
    "contrast_ratio",
    "describe_weights",
    "draw_figure",
    "escape_latex",
    "hex_colour",
    "iter_token_csv",
    "latex_fragment",
    "normalise",
    "render_fragment",
    "render_latex",
    "render_page",
    "render_png",
    "render_svg",
    "render_terminal",
    "render_token_csv",
    "shade",
    "text_colour",
]

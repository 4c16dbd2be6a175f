"""The HTML side: the interactive page, the API reference at /docs, and the page's script and stylesheet.

Templates autoescape everything; the page's data travels as JSON in a `<script type="application/json">`
element (escaped for that context by the report module's `script_json`), which no CSP needs to allow
because it never runs. Scripts and styles are files served from here, so the CSP says `'self'` only.
"""

from __future__ import annotations

import functools
import importlib.resources
from typing import Any

import jinja2
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response

from attnviz.explanation import SIGNED_METHODS
from attnviz.render.colors import DIVERGING_PALETTE_NAME, PALETTE_NAME, script_colour_model
from attnviz.render.report import SCRIPTS
from attnviz.render.report_data import script_json
from attnviz.render.terminal import CONTROL_CHARACTERS
from attnviz.web.docs import describe_openapi
from attnviz.web.service import InferenceService

SHARED_SCRIPTS = frozenset(SCRIPTS) - {"report.js"}
DEBOUNCE_MS = 150  # fast enough to feel live, slow enough to skip most keystrokes of a typed word
_ASSETS = {
    "colors.js": "text/javascript; charset=utf-8",
    "text.js": "text/javascript; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "compare.js": "text/javascript; charset=utf-8",
    "methods.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("attnviz.web", "templates"),
        autoescape=True,  # every model name, class name and schema text goes through it
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


@functools.cache
def _asset(name: str) -> bytes:
    if name in SHARED_SCRIPTS:  # the report's colour model and text drawing, one copy for both
        return importlib.resources.files("attnviz.render").joinpath("templates", name).read_bytes()
    return importlib.resources.files("attnviz.web").joinpath("static", name).read_bytes()


def page_config(service: InferenceService) -> dict[str, Any]:
    """What app.js needs to draw: the models, the limits, and the colour model's numbers."""
    registry = service.registry
    return {
        "models": [registry.get(name).info() for name in registry.names],
        "maxTextChars": service.limits.max_text_chars,
        "debounceMs": DEBOUNCE_MS,
        **script_colour_model(),
        "signedMethods": sorted(SIGNED_METHODS),
        "controls": CONTROL_CHARACTERS.pattern,
    }


def page_router(app: FastAPI, service: InferenceService) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    page = (
        _environment()
        .get_template("page.html.j2")
        .render(
            config=script_json(page_config(service)),
            models=service.registry.names,
            palette=PALETTE_NAME,
            diverging_palette=DIVERGING_PALETTE_NAME,
        )
    )

    @router.get("/", response_class=HTMLResponse)
    async def index() -> HTMLResponse:
        return HTMLResponse(page)

    @router.get("/docs", response_class=HTMLResponse)
    async def docs() -> HTMLResponse:
        return HTMLResponse(_docs_page(app))

    @router.get("/static/{name}")
    async def static(name: str) -> Response:
        # A fixed set of names: nothing from the URL ever reaches the filesystem.
        if name not in _ASSETS:
            return Response(b'{"status":404,"message":"No such file.","errors":[]}', 404, media_type="application/json")
        return Response(_asset(name), media_type=_ASSETS[name], headers={"cache-control": "no-cache"})

    return router


def _docs_page(app: FastAPI) -> str:
    return _environment().get_template("docs.html.j2").render(api=describe_openapi(app.openapi()))

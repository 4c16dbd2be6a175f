"""The ASGI app: models, limits and security wired into FastAPI.

`create_app` is what `attnviz serve` runs on uvicorn and what tests drive in process. Every error a
client can cause answers as JSON `{"status", "message", "errors"}` with its own status, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from attnviz._version import __version__
from attnviz.errors import AttnvizError
from attnviz.web import schemas
from attnviz.web.api import PREFIX, api_router, explain_answer, predict_answer
from attnviz.web.docs import restrict_choices
from attnviz.web.encoding import error_body
from attnviz.web.fastlane import Answer, FastLane
from attnviz.web.pages import page_router
from attnviz.web.problems import status_of
from attnviz.web.registry import ModelRegistry, Models
from attnviz.web.reports import HeavyJobs
from attnviz.web.security import BodyLimitMiddleware, SecurityMiddleware, allowed_hosts
from attnviz.web.service import InferenceService, ServerLimits

logger = logging.getLogger(__name__)
_BODY_PARSE_ERROR = "There was an error parsing the body"
DESCRIPTION = (
    "Predictions and word-by-word attention explanations of attnviz text classifiers. "
    "Explanations have the library's schema (`Explanation.to_dict()`); errors are "
    '`{"status", "message", "errors"}` with the HTTP status.'
)


def create_app(
    models: Models,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    extra_hosts: Iterable[str] = (),
    limits: ServerLimits | None = None,
    device: str = "auto",
) -> FastAPI:
    """The web app serving `models`: model folders (named after the folder) or a name -> classifier map.

    `host` and `port` are where the server listens: requests must name them (or a loopback name, or
    one of `extra_hosts`) in their Host header.
    """
    service = InferenceService(ModelRegistry(models, device), limits or ServerLimits())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()

    app = FastAPI(
        title="attnviz",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # our own /docs: Swagger UI would load scripts from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service
    app.openapi = _openapi(app, service)  # type: ignore[method-assign]  # FastAPI's documented way to extend it
    app.include_router(api_router(service, HeavyJobs()))
    app.include_router(page_router(app, service))
    _add_error_handlers(app)
    app.add_middleware(FastLane, routes=_fast_routes(service))
    app.add_middleware(BodyLimitMiddleware, limit=service.limits.max_body_bytes)
    app.add_middleware(SecurityMiddleware, hosts=allowed_hosts(host, port, extra_hosts))  # outermost
    return app


def _openapi(app: FastAPI, service: InferenceService) -> Callable[[], dict[str, Any]]:
    registry = service.registry
    methods = sorted({method for name in registry.names for method in registry.get(name).methods})

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            restrict_choices(FastAPI.openapi(app), registry.names, methods)
        assert app.openapi_schema is not None
        return app.openapi_schema

    return openapi


def _fast_routes(service: InferenceService) -> dict[str, tuple[type[BaseModel], Answer]]:
    async def explain(body: Any) -> bytes:
        return await explain_answer(service, body)

    async def predict(body: Any) -> bytes:
        return await predict_answer(service, body)

    return {
        f"{PREFIX}/explain": (schemas.ExplainRequest, explain),
        f"{PREFIX}/predict": (schemas.PredictRequest, predict),
    }


def _error(status: int, message: str, errors: list[dict[str, str]] | None = None) -> Response:
    return Response(error_body(status, message, errors or ()), status_code=status, media_type="application/json")


def _location(error: dict[str, Any]) -> str:
    parts = [str(part) for part in error.get("loc", ()) if part != "body"]
    return ".".join(parts) or "body"


def _validation_message(errors: list[dict[str, Any]]) -> str:
    first = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        reason = first.get("ctx", {}).get("error", "not JSON")
        return f'The body is not valid JSON ({reason}); send an object such as {{"texts": ["so good"]}}.'
    extra = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"Invalid request body at {_location(first)}: {first.get('msg', 'invalid')}{extra}."


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_body(request: Request, error: RequestValidationError) -> Response:
        errors = list(error.errors())
        details = [{"location": _location(item), "message": str(item.get("msg", ""))} for item in errors]
        return _error(422, _validation_message(errors), details)

    @app.exception_handler(AttnvizError)
    async def problem(request: Request, error: AttnvizError) -> Response:
        return _error(status_of(error), str(error))

    @app.exception_handler(Exception)
    async def bug(request: Request, error: Exception) -> Response:
        # Only a bug gets here (every client error has its own type above); the log keeps the traceback.
        logger.exception("internal error on %s %s", request.method, request.url.path)
        return _error(500, "The server failed on this request; this is a bug in attnviz, please report it.")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 400:  # raised inside the app only for a body it cannot parse: a bad body
            reason = "not JSON in UTF-8" if error.detail == _BODY_PARSE_ERROR else str(error.detail).rstrip(".")
            message = f"The request body could not be read ({reason}); see /docs for what each route takes."
            return _error(422, message, [{"location": "body", "message": reason}])
        if error.status_code == 404:
            return _error(404, f"There is no {request.url.path[:100]!r} here; the API is described at /docs.")
        if error.status_code == 405:
            return _error(405, f"{request.method[:20]} is not allowed on {request.url.path[:100]}; see /docs.")
        return _error(error.status_code, str(error.detail))

"""The hot routes (/api/v1/explain and /predict) served without FastAPI's per-request machinery.

Measured in process, FastAPI's routing, dependency solving and exception layers cost about twice as
much per request as the rest of the web layer together. For a valid JSON body this middleware
validates it with the route's own pydantic model and calls the route's own answer function, so both
paths give the same answer. Anything else (another route, another content type, an invalid body) goes
on to FastAPI, which stays the one place that words 422 errors and documents the routes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from attnviz.errors import AttnvizError
from attnviz.web.encoding import error_body
from attnviz.web.problems import status_of
from attnviz.web.security import replay

Answer = Callable[[Any], Awaitable[bytes]]
_JSON = (b"content-type", b"application/json")


def _is_json(scope: Scope) -> bool:
    for key, value in scope["headers"]:
        if key == b"content-type":
            return bytes(value).split(b";", 1)[0].strip().lower() == b"application/json"
    return False


async def _send(send: Send, status: int, body: bytes) -> None:
    headers = [_JSON, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class FastLane:
    """`routes` maps a POST path to its request model and answer function; everything else passes on."""

    def __init__(self, app: ASGIApp, *, routes: Mapping[str, tuple[type[BaseModel], Answer]]) -> None:
        self.app = app
        self.routes = dict(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.routes.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if route is None or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        message = await receive()  # BodyLimitMiddleware has read the whole body into one message
        model, answer = route
        try:
            body = model.model_validate_json(message.get("body", b""))
        except ValidationError:
            await self.app(scope, replay(message, receive), send)  # FastAPI words the 422
            return
        try:
            await _send(send, 200, await answer(body))
        except AttnvizError as error:
            status = status_of(error)
            await _send(send, status, error_body(status, str(error)))

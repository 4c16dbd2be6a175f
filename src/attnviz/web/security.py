"""ASGI middleware that makes a local server safe by default.

`SecurityMiddleware` refuses requests whose Host is not one we serve (DNS rebinding: a hostile page
whose name resolves to 127.0.0.1 would otherwise be same-origin with us), refuses cross-site POSTs by
their Origin, and adds the security headers to every answer. `BodyLimitMiddleware` counts the bytes
actually received, so a chunked upload without Content-Length is held to the limit too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from attnviz.web.encoding import error_body

DEFAULT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_CSP = b"content-security-policy"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def host_entry(host: str, port: int) -> str:
    """How a browser writes `host` and `port` in a Host header: IPv6 addresses in brackets."""
    try:
        if ipaddress.ip_address(host.strip("[]")).version == 6:
            return f"[{host.strip('[]')}]:{port}"
    except ValueError:
        pass
    return f"{host}:{port}"


def allowed_hosts(host: str, port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """Every Host header we answer: the loopback names, the bound address, and `extra` names.

    An entry without a port in `extra` means that name on our port. On port 80 browsers leave the port
    out, so the bare names count too.
    """
    names = {"127.0.0.1", "localhost", "::1", host}
    entries = {host_entry(name, port) for name in names}
    entries |= {name if _has_port(name) else host_entry(name, port) for name in extra}
    if port == 80:
        entries |= {entry.rsplit(":", 1)[0] for entry in list(entries)}
    return frozenset(entry.lower() for entry in entries)


def _has_port(name: str) -> bool:
    if name.startswith("["):
        return "]:" in name
    return name.count(":") == 1  # a bare IPv6 address has several colons and no port


async def send_error(send: Send, status: int, message: str, *, close: bool = False) -> None:
    """A JSON error answer in the API's error shape, sent straight from middleware."""
    body = error_body(status, message)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class SecurityMiddleware:
    """Host and Origin checks, then the security headers (a CSP unless the route set its own)."""

    def __init__(self, app: ASGIApp, *, hosts: frozenset[str], csp: str = DEFAULT_CSP) -> None:
        self.app = app
        self.hosts = hosts
        self.origins = frozenset(f"http://{host}" for host in hosts) | frozenset(f"https://{host}" for host in hosts)
        self.csp = csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = (_header(scope, b"host") or b"").decode("latin-1").lower()
        if host not in self.hosts:
            await send_error(send, 400, f"Host {host!r} is not served here; open the address the server printed.")
            return
        origin = _header(scope, b"origin")
        cross_site = origin is not None and origin.decode("latin-1").lower() not in self.origins
        if cross_site and scope["method"] not in _SAFE_METHODS:
            await send_error(send, 403, "Cross-site requests are refused; use the page this server serves.")
            return
        await self.app(scope, receive, self._with_headers(send))

    def _with_headers(self, send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(key.lower() == _CSP for key, _ in headers):
                    headers.append((_CSP, self.csp))
                headers.extend(_ALWAYS)
                message = {**message, "headers": headers}
            await send(message)

        return send_with_headers


class BodyLimitMiddleware:
    """Reads the whole body (at most `limit` bytes) before the app runs, and answers 413 beyond it.

    Counting received bytes, not trusting Content-Length, is what stops chunked uploads; holding the
    small body whole also spares the app a second pass over the stream.
    """

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await send_error(send, 413, self._message(int(declared)), close=True)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away before sending its body
            body += message.get("body", b"")
            if len(body) > self.limit:
                await send_error(send, 413, self._message(None), close=True)
                return
            if not message.get("more_body", False):
                break
        body_message: Message = {"type": "http.request", "body": bytes(body), "more_body": False}
        await self.app(scope, replay(body_message, receive), send)

    def _message(self, size: int | None) -> str:
        size_text = f"has {size:,} bytes, over" if size is not None else "is over"
        return (
            f"The request body {size_text} the limit of {self.limit:,} bytes; "
            "send less, or start the server with a larger --max-body."
        )


def replay(message: Message, receive: Receive) -> Receive:
    """A receive that gives `message` again (the body a middleware already read), then the real stream,
    where the disconnect comes as usual."""
    sent = False

    async def receive_again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return message
        return await receive()

    return receive_again

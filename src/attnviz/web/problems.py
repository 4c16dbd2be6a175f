"""Errors a client's request can cause, each with the HTTP status the API answers with.

They are `AttnvizError`s like every error the package raises on purpose, so their message is one
sentence naming the bad value and what to do; the app turns them into `{"status", "message"}` JSON.
"""

from __future__ import annotations

from attnviz.errors import AttnvizError


class RequestProblem(AttnvizError):
    """A request the server cannot serve as sent; `status` is the HTTP status of the answer."""

    status = 400


class UnknownModelError(RequestProblem):
    status = 404


class PayloadTooLargeError(RequestProblem):
    status = 413


class InvalidRequestError(RequestProblem):
    status = 422


class ServerBusyError(RequestProblem):
    """The inference queue (or the report slot) is full: the client should retry later."""

    status = 503


def status_of(error: AttnvizError) -> int:
    """The HTTP status for an error raised while serving a request: the library refusing the client's
    data (a bad view, an unreadable file) is the client's error too, 422."""
    return error.status if isinstance(error, RequestProblem) else 422

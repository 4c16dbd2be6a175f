"""`attnviz serve`: the web page and JSON API over saved models, on uvicorn."""

from __future__ import annotations

import gc
import importlib.util
import ipaddress
import socket
from typing import TYPE_CHECKING, Any

import click

from attnviz.config import DEVICES
from attnviz.errors import AttnvizError

if TYPE_CHECKING:
    from fastapi import FastAPI

_LOOPBACK_NAMES = ("localhost",)


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, made here so that a taken port is a one-line error and port 0 works."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise click.ClickException(
            f"Cannot listen on {host} port {port} ({error.strerror or error}); pick another with --port or --host."
        ) from None
    return sock


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _uvicorn_options(access_log: bool) -> dict[str, Any]:
    """The fast event loop and HTTP parser when installed (uvicorn[standard] brings both)."""
    fast = {name: importlib.util.find_spec(name) is not None for name in ("uvloop", "httptools")}
    return {
        "loop": "uvloop" if fast["uvloop"] else "asyncio",
        "http": "httptools" if fast["httptools"] else "h11",
        "access_log": access_log,
        "log_level": "info" if access_log else "warning",
        "server_header": False,
        "limit_concurrency": 2048,  # past this many connections uvicorn itself answers 503
        "timeout_graceful_shutdown": 5,
    }


@click.command()
@click.argument("models", nargs=-1, required=True, type=click.Path(), metavar="MODEL...")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on; the default keeps it on this machine."
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port; 0 picks a free one."
)
@click.option(
    "--allow-host",
    "extra_hosts",
    multiple=True,
    metavar="NAME[:PORT]",
    help="Another Host name clients may use (a LAN name, a proxy); repeatable.",
)
@click.option(
    "--max-body",
    "max_body_bytes",
    type=click.IntRange(1),
    default=1 << 20,
    show_default=True,
    help="Largest request body in bytes (uploads included).",
)
@click.option("--max-texts", type=click.IntRange(1), default=256, show_default=True, help="Texts per request.")
@click.option(
    "--max-text-chars", type=click.IntRange(1), default=20_000, show_default=True, help="Characters per text."
)
@click.option("--max-batch", type=click.IntRange(1), default=32, show_default=True, help="Texts per model call.")
@click.option(
    "--queue-size",
    type=click.IntRange(1),
    default=256,
    show_default=True,
    help="Requests waiting for the model before new ones get 503.",
)
@click.option(
    "--batch-wait-ms",
    type=click.IntRange(0),
    default=2,
    show_default=True,
    help="Under load, how long a model call may wait for more texts to batch.",
)
@click.option("--device", type=click.Choice(DEVICES), default="auto", show_default=True, help="Where the models run.")
@click.option(
    "--threads",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="PyTorch threads; requests are small, so one is fastest.",
)
@click.option("--access-log/--no-access-log", default=False, show_default=True, help="Log every request.")
def serve(
    models: tuple[str, ...], host: str, port: int, extra_hosts: tuple[str, ...], device: str, threads: int,
    access_log: bool, **limits: int,
) -> None:  # fmt: skip
    """Serve MODEL folders on a web page (type a text, see its heatmap) and a JSON API (/docs).

    It listens on 127.0.0.1 unless --host says otherwise, and answers only requests addressed to that
    host (or localhost), so other web pages cannot reach it through DNS rebinding.
    """
    import torch
    import uvicorn

    torch.set_num_threads(threads)
    sock = _bind(host, port)
    try:
        app = _make_app(list(models), host, sock.getsockname()[1], extra_hosts, limits, device)
    except AttnvizError as error:
        sock.close()
        raise click.ClickException(str(error)) from None
    # Everything loaded so far (torch, the models, FastAPI) lives as long as the server: freezing it keeps
    # the garbage collector's full passes to the objects requests make; measured, they otherwise took
    # 150 ms every few seconds under load, in the middle of a model call.
    gc.collect()
    gc.freeze()
    _announce(app, host, sock.getsockname()[1])
    uvicorn.Server(uvicorn.Config(app, **_uvicorn_options(access_log))).run(sockets=[sock])


def _make_app(
    models: list[str], host: str, port: int, extra_hosts: tuple[str, ...], limits: dict[str, int], device: str
) -> FastAPI:
    from attnviz.web import ServerLimits, create_app

    return create_app(
        models, host=host, port=port, extra_hosts=extra_hosts, limits=ServerLimits(**limits), device=device
    )


def _announce(app: FastAPI, host: str, port: int) -> None:
    from attnviz.web.security import host_entry

    names = ", ".join(app.state.service.registry.names)
    click.echo(f"Serving {names} at http://{host_entry(host, port)}/ (API reference: /docs).", err=True)
    if not _is_loopback(host):
        click.echo(
            f"Warning: {host} can be reached from other machines; whoever reaches it can use the models.", err=True
        )
    click.echo("Press Ctrl+C to stop.", err=True)

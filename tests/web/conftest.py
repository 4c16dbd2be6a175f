"""Apps over the session's tiny model, in-process clients, and a real uvicorn on a loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from attnviz.classifier import TextClassifier
from attnviz.web import create_app
from tests.conftest import TINY_SETTINGS

HOST, PORT = "127.0.0.1", 8000
BASE_URL = f"http://{HOST}:{PORT}"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def short_folder(tmp_path_factory: pytest.TempPathFactory, tiny_corpus: tuple[list[str], list[str]]) -> Path:
    """A second model that reads only 3 words, so it splits long texts differently from the first."""
    folder = tmp_path_factory.mktemp("models") / "short"
    settings = {**TINY_SETTINGS, "epochs": 2, "max_length": 3}
    TextClassifier(**settings).fit(*tiny_corpus).save(folder)
    return folder


@pytest.fixture
def make_app() -> Iterator[Callable[..., FastAPI]]:
    """create_app with the test's own models and limits; every inference thread is stopped afterwards."""
    apps: list[FastAPI] = []

    def make(models: Any, **options: Any) -> FastAPI:
        options.setdefault("host", HOST)
        options.setdefault("port", PORT)
        app = create_app(models, **options)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.service.close()


@pytest.fixture
def app(make_app: Callable[..., FastAPI], trained_folder: Path) -> FastAPI:
    return make_app([trained_folder])


@pytest.fixture
def two_model_app(make_app: Callable[..., FastAPI], trained_folder: Path, short_folder: Path) -> FastAPI:
    return make_app({"tiny": trained_folder, "twin": trained_folder, "short": short_folder})


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as opened:
        yield opened


def client_for(app: FastAPI, base_url: str = BASE_URL) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn serving an app in a thread on a free loopback port."""

    def __init__(self, app_factory: Callable[[int], FastAPI]) -> None:
        self.port = free_port()
        self.app = app_factory(self.port)
        config = uvicorn.Config(self.app, host=HOST, port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start within 20 s")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def live_server(make_app: Callable[..., FastAPI], trained_folder: Path, short_folder: Path) -> Iterator[LiveServer]:
    def factory(port: int) -> FastAPI:
        return make_app({"tiny": trained_folder, "short": short_folder}, port=port)

    with LiveServer(factory) as server:
        yield server

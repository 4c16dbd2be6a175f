"""Safe by default: Host and Origin checks, security headers, body limits, no filesystem paths."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from attnviz.cli.serve import serve
from attnviz.web import ServerLimits
from attnviz.web.security import allowed_hosts
from tests.web.conftest import PORT, client_for

pytestmark = pytest.mark.anyio


def script_sources(policy: str) -> str:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    return directives.get("script-src", directives["default-src"])


def test_the_command_binds_to_loopback_unless_told_otherwise() -> None:
    defaults = {parameter.name: parameter.default for parameter in serve.params}
    assert defaults["host"] == "127.0.0.1"


def test_allowed_hosts_are_the_loopback_names_and_the_bound_host() -> None:
    assert allowed_hosts("127.0.0.1", 8000) == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert "box.lan:8000" in allowed_hosts("box.lan", 8000)
    assert "[fe80::1]:9000" in allowed_hosts("fe80::1", 9000)
    assert {"proxy.example:8000", "other:443"} <= allowed_hosts("127.0.0.1", 8000, ["proxy.example", "other:443"])
    assert {"localhost", "127.0.0.1", "localhost:80"} <= allowed_hosts("127.0.0.1", 80)  # browsers drop :80


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST:8000"])
async def test_requests_to_a_served_host_are_answered(app: FastAPI, host: str) -> None:
    async with client_for(app) as client:
        response = await client.get("/healthz", headers={"host": host})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "127.0.0.1:8001", "127.0.0.1", "localhost.evil:8000"]
)
async def test_requests_to_another_host_are_400(app: FastAPI, host: str) -> None:
    async with client_for(app) as client:
        for method, route in (("GET", "/"), ("GET", "/healthz"), ("POST", "/api/v1/explain")):
            response = await client.request(method, route, headers={"host": host}, json={"texts": ["a"]})
            assert response.status_code == 400
            assert "is not served here" in response.json()["message"]


async def test_the_served_host_given_on_the_command_line_is_allowed(
    make_app: Callable[..., FastAPI], trained_folder: Path
) -> None:
    app = make_app([trained_folder], host="10.0.0.5", extra_hosts=["box.lan"])
    async with client_for(app) as client:
        for host in ("10.0.0.5:8000", "box.lan:8000", "127.0.0.1:8000"):
            assert (await client.get("/healthz", headers={"host": host})).status_code == 200
        assert (await client.get("/healthz", headers={"host": "10.0.0.6:8000"})).status_code == 400


async def test_cross_site_posts_are_refused_by_origin(client: httpx.AsyncClient) -> None:
    body = {"texts": ["great"]}
    assert (
        await client.post("/api/v1/explain", json=body, headers={"origin": "http://evil.example"})
    ).status_code == 403
    assert (await client.post("/api/v1/explain", json=body, headers={"origin": "null"})).status_code == 403
    same = await client.post("/api/v1/explain", json=body, headers={"origin": f"http://127.0.0.1:{PORT}"})
    assert same.status_code == 200
    assert (await client.get("/healthz", headers={"origin": "http://evil.example"})).status_code == 200


async def test_every_html_answer_carries_a_strict_csp_and_the_headers(client: httpx.AsyncClient) -> None:
    answers = [
        await client.get("/"),
        await client.get("/docs"),
        await client.post("/api/v1/render/html", json={"texts": ["great"]}),
        await client.post("/api/v1/report", files={"file": ("a.csv", b"text\ngreat food\n")}),
    ]
    for response in answers:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        scripts = script_sources(policy)
        assert "unsafe-inline" not in scripts and "unsafe-eval" not in scripts and "*" not in scripts
        assert "frame-ancestors 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert script_sources(answers[0].headers["content-security-policy"]) == "'self'"


async def test_json_answers_and_errors_carry_the_headers_too(client: httpx.AsyncClient) -> None:
    for response in (await client.get("/healthz"), await client.post("/api/v1/explain", json={})):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_the_page_loads_nothing_from_elsewhere_and_has_no_inline_script(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'type="application/json"' in tag or 'src="/static/' in tag, tag
    assert not re.search(r"<[^>]*\s(style|on\w+)=", page)  # no inline style or event handler attributes
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


async def test_the_body_limit_holds_at_exactly_the_limit(
    make_app: Callable[..., FastAPI], trained_folder: Path
) -> None:
    limit = 60
    async with client_for(make_app([trained_folder], limits=ServerLimits(max_body_bytes=limit))) as client:
        for size, status in ((limit, 200), (limit + 1, 413)):
            content = b'{"texts": ["' + b"x" * (size - 15) + b'"]}'
            assert len(content) == size
            response = await client.post(
                "/api/v1/explain", content=content, headers={"content-type": "application/json"}
            )
            assert response.status_code == status, response.text


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every APIRoute, also inside included routers (which newer FastAPI keeps as one route each)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from api_routes(included.routes)


def test_no_route_takes_a_filesystem_path(app: FastAPI) -> None:
    parameters = {
        (route.path, parameter.name)
        for route in api_routes(app.routes)
        for parameter in (*route.dependant.path_params, *route.dependant.query_params)
    }
    assert parameters == {("/static/{name}", "name")}  # looked up in a fixed table of two names
    spec = app.openapi()
    for path, item in spec["paths"].items():
        for operation in item.values():
            assert not operation.get("parameters"), path

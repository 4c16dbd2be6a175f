"""The app on a real uvicorn over loopback TCP, driven by real HTTP clients; and the `serve` command."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from attnviz.cli.serve import serve
from tests.web.conftest import HOST, LiveServer


def raw_exchange(port: int, request: bytes) -> bytes:
    """Sends `request` as is and reads the answer until the server closes or a full answer is in."""
    with socket.create_connection((HOST, port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _length(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def _length(answer: bytes) -> int:
    match = re.search(rb"content-length: *(\d+)", answer, re.IGNORECASE)
    return int(match.group(1)) if match else 0


def test_a_real_server_answers_every_kind_of_request(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        explained = client.post("/api/v1/explain", json={"texts": ["The food was great!"], "model": "short"})
        assert explained.status_code == 200
        assert explained.json()["explanations"][0]["tokens"][0]["text"] == "The"
        page = client.get("/")
        assert page.status_code == 200 and "'self'" in page.headers["content-security-policy"]
        assert client.get("/static/app.js").status_code == 200
        assert client.get("/openapi.json").json()["info"]["title"] == "attnviz"
        assert client.post("/api/v1/explain", json={"texts": "no"}).status_code == 422
        assert client.post("/api/v1/explain", json={"texts": ["a"], "model": "x"}).status_code == 404


def test_a_real_server_refuses_a_foreign_host_header(live_server: LiveServer) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: attacker.example:%d\r\nConnection: close\r\n\r\n" % live_server.port
    answer = raw_exchange(live_server.port, request)
    assert answer.startswith(b"HTTP/1.1 400") and b"is not served here" in answer


def test_a_real_server_stops_a_chunked_upload_at_the_limit(live_server: LiveServer) -> None:
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"  # 1.25 MiB
    head = (
        b"POST /api/v1/explain HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" % live_server.port
    )
    answer = raw_exchange(live_server.port, head + body)
    assert answer.startswith(b"HTTP/1.1 413") and b"over the limit of 1,048,576 bytes" in answer


def test_the_serve_command_starts_on_a_free_port_and_stops_cleanly(trained_folder: Path) -> None:
    command = [sys.executable, "-m", "attnviz", "serve", str(trained_folder), "--port", "0"]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
        match = re.search(r"Serving tiny at (http://127\.0\.0\.1:(\d+)/)", line)
        assert match, line
        deadline = time.monotonic() + 20
        while True:
            try:
                assert httpx.get(match.group(1) + "healthz", timeout=5).status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.1)
    finally:
        server.terminate()
        # uvicorn shuts down gracefully, then re-raises the signal so the exit status says SIGTERM
        assert server.wait(20) in (0, -15)
    assert server.stderr is not None and "Traceback" not in server.stderr.read()


def test_the_serve_command_reports_a_bad_model_folder_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve, [str(tmp_path / "missing"), "--port", "0"])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "Error:" in result.output and "missing" in result.output


def test_the_serve_command_reports_a_taken_port_in_one_line(trained_folder: Path) -> None:
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(serve, [str(trained_folder), "--port", str(port)])
    assert result.exit_code == 1 and f"port {port}" in result.output and "--port" in result.output

"""Load test of `attnviz serve`: POST /api/v1/explain with one 20-word text, server and client on loopback.

Trains a model on the packaged demo corpus (default network sizes, 2 epochs) unless --model is given,
starts the server in a subprocess, and drives it with a small keep-alive HTTP/1.1 client on raw asyncio
sockets (an HTTP library would cost the shared CPUs more than the server does). For each concurrency it
prints requests/s, p50/p99 latency and the status counts; a request without an answer within --timeout
counts as failed.

    .venv/bin/python benchmarks/serve.py                    # concurrency 8 and 64, 10 s each
    .venv/bin/python benchmarks/serve.py --concurrency 1 8 64 --seconds 20 --model runs/reviews

Goal (issue): at concurrency 8, at least 1,000 requests/s with p99 at most 25 ms; at concurrency 64,
every request gets 200 or 503.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

TEXT = "The pasta was delicious and the staff were lovely, but the room was small and the bed far too soft."


def train_model(folder: Path, epochs: int) -> None:
    from attnviz.classifier import TextClassifier
    from attnviz.demo import load_demo_corpus

    corpus = load_demo_corpus()
    TextClassifier(epochs=epochs, seed=0, device="cpu").fit(corpus.texts, corpus.labels).save(folder)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(model: Path, port: int, extra: list[str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "attnviz", "serve", str(model), "--port", str(port), *extra]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read().decode() if server.stderr else ''}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


class Connection(asyncio.Protocol):
    """One keep-alive connection: send a request, parse the response as it arrives, resolve a future."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport subclasses
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection closed"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0 or self.waiter is None:
            return
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        length = next((int(line.split(":", 1)[1]) for line in head if line.lower().startswith("content-length:")), 0)
        if len(self.buffer) < end + 4 + length:
            return
        del self.buffer[: end + 4 + length]
        if not self.waiter.done():
            self.waiter.set_result(int(head[0].split()[1]))

    async def request(self, data: bytes, timeout: float) -> int:
        loop = asyncio.get_running_loop()
        waiter = self.waiter = loop.create_future()
        # call_later rather than asyncio.wait_for, which costs a task per request
        timer = loop.call_later(timeout, lambda: waiter.done() or waiter.set_exception(TimeoutError()))
        self.transport.write(data)
        try:
            return await waiter
        finally:
            timer.cancel()


def request_bytes(port: int) -> bytes:
    body = json.dumps({"texts": [TEXT]}).encode()
    head = (
        f"POST /api/v1/explain HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def client(port: int, data: bytes, stop: float, timeout: float, results: list[tuple[float, str]]) -> None:
    loop = asyncio.get_running_loop()
    connection: Connection | None = None
    while time.perf_counter() < stop:
        if connection is None or connection.closed:
            _, connection = await loop.create_connection(Connection, "127.0.0.1", port)
        started = time.perf_counter()
        try:
            status = str(await connection.request(data, timeout))
        except TimeoutError:
            status = "timeout"
            connection.transport.close()
        except ConnectionError:
            status = "closed"
        results.append((time.perf_counter() - started, status))


async def drive(port: int, concurrency: int, seconds: float, timeout: float) -> tuple[list[tuple[float, str]], float]:
    data = request_bytes(port)
    results: list[tuple[float, str]] = []
    started = time.perf_counter()
    await asyncio.gather(*(client(port, data, started + seconds, timeout, results) for _ in range(concurrency)))
    return results, time.perf_counter() - started


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of a process so far: the server's from /proc, our own from os.times."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def report(concurrency: int, results: list[tuple[float, str]], elapsed: float, cpu: tuple[float, float]) -> bool:
    statuses = collections.Counter(status for _, status in results)
    answered = [latency for latency, status in results if status == "200"]
    rate = len(results) / elapsed
    p50, p99 = percentile(answered, 0.50) * 1000, percentile(answered, 0.99) * 1000
    counts = ", ".join(f"{status}: {count:,}" for status, count in sorted(statuses.items()))
    print(f"concurrency {concurrency:>3}: {rate:8,.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   ({counts})")
    server, client = (1e6 * seconds / max(1, len(results)) for seconds in cpu)
    print(f"                 CPU per request: server {server:.0f} µs, client {client:.0f} µs")
    if concurrency == 8:
        return rate >= 1000 and p99 <= 25 and set(statuses) == {"200"}
    return set(statuses) <= {"200", "503"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="A saved model folder (default: train one).")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 64])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--server-args", nargs=argparse.REMAINDER, default=[], help="Passed on to attnviz serve.")
    args = parser.parse_args()
    try:
        import uvloop

        loop_factory = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with tempfile.TemporaryDirectory() as scratch:
        model = args.model or Path(scratch) / "demo-model"
        if args.model is None:
            train_model(model, args.epochs)
        port = free_port()
        server = start_server(model, port, args.server_args)
        try:
            print(f"text: {len(TEXT.split())} words; server pid {server.pid}, {os.cpu_count()} CPUs shared")
            passed = []
            for concurrency in args.concurrency:
                with asyncio.Runner(loop_factory=loop_factory) as runner:
                    runner.run(drive(port, concurrency, 1.0, args.timeout))  # warm up
                    before = cpu_seconds(server.pid), cpu_seconds()
                    results, elapsed = runner.run(drive(port, concurrency, args.seconds, args.timeout))
                    cpu = cpu_seconds(server.pid) - before[0], cpu_seconds() - before[1]
                passed.append(report(concurrency, results, elapsed, cpu))
        finally:
            server.terminate()
            server.wait(10)
    print("goal met" if all(passed) else "goal NOT met")


if __name__ == "__main__":
    main()

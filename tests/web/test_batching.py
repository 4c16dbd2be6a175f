"""Micro-batching: concurrent requests share model calls, a full queue answers 503, failures stay apart."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI

from attnviz.classifier import TextClassifier
from attnviz.errors import DataError
from attnviz.web import ServerLimits
from attnviz.web.batching import MicroBatcher
from attnviz.web.problems import ServerBusyError
from tests.web.conftest import client_for

pytestmark = pytest.mark.anyio


class Recorder:
    """A batch function that records each call; `gate` (when set) holds the worker until released."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.calls: list[list[str]] = []
        self.gate = gate
        self.entered = threading.Event()

    def __call__(self, texts: list[str]) -> list[str]:
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(10), "the test never released the worker"
        if "boom" in texts:
            raise DataError("boom is not a text this model takes")
        self.calls.append(list(texts))
        return [text.upper() for text in texts]


@pytest.fixture
def batcher() -> Iterator[MicroBatcher]:
    made = MicroBatcher(max_batch=8, max_pending=64, max_wait=0.05)
    yield made
    made.close()


async def test_concurrent_jobs_share_one_call_and_each_gets_its_own_results(batcher: MicroBatcher) -> None:
    gate = threading.Event()
    record = Recorder(gate)
    first = asyncio.ensure_future(batcher.run("k", record, ["a"]))
    await asyncio.to_thread(record.entered.wait, 5)  # the worker is busy with the first job
    rest = [asyncio.ensure_future(batcher.run("k", record, [f"t{i}", f"u{i}"])) for i in range(3)]
    await asyncio.sleep(0.01)
    gate.set()
    assert await first == ["A"]
    assert [await job for job in rest] == [[f"T{i}", f"U{i}"] for i in range(3)]
    assert record.calls == [["a"], ["t0", "u0", "t1", "u1", "t2", "u2"]]


async def test_a_batch_holds_at_most_max_batch_texts_and_one_kind_of_work(batcher: MicroBatcher) -> None:
    gate = threading.Event()
    record, other = Recorder(gate), Recorder()
    blocker = asyncio.ensure_future(batcher.run("k", record, ["x"]))
    await asyncio.to_thread(record.entered.wait, 5)
    jobs = [asyncio.ensure_future(batcher.run("k", record, ["a", "b", "c"])) for _ in range(4)]
    jobs.append(asyncio.ensure_future(batcher.run("other", other, ["o"])))
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(blocker, *jobs)
    assert all(len(call) <= 8 for call in record.calls) and sum(map(len, record.calls)) == 13
    assert other.calls == [["o"]]


async def test_one_failing_request_does_not_fail_the_others_in_its_batch(batcher: MicroBatcher) -> None:
    gate = threading.Event()
    record = Recorder(gate)
    blocker = asyncio.ensure_future(batcher.run("k", record, ["x"]))
    await asyncio.to_thread(record.entered.wait, 5)
    good = asyncio.ensure_future(batcher.run("k", record, ["fine"]))
    bad = asyncio.ensure_future(batcher.run("k", record, ["boom"]))
    await asyncio.sleep(0.01)
    gate.set()
    await blocker
    assert await good == ["FINE"]
    with pytest.raises(DataError, match="boom"):
        await bad


async def test_a_full_queue_refuses_at_once() -> None:
    batcher = MicroBatcher(max_batch=4, max_pending=2)
    gate = threading.Event()
    record = Recorder(gate)
    try:
        running = asyncio.ensure_future(batcher.run("k", record, ["a"]))
        await asyncio.to_thread(record.entered.wait, 5)
        queued = [asyncio.ensure_future(batcher.run("k", record, ["b"])) for _ in range(2)]
        await asyncio.sleep(0)
        with pytest.raises(ServerBusyError, match="busy"):
            await batcher.run("k", record, ["c"])
        gate.set()
        await asyncio.gather(running, *queued)
    finally:
        gate.set()
        batcher.close()


async def test_a_lone_request_does_not_wait_to_be_batched() -> None:
    batcher = MicroBatcher(max_batch=8, max_pending=8, max_wait=5.0)
    try:
        started = asyncio.get_running_loop().time()
        assert await batcher.run("k", Recorder(), ["a"]) == ["A"]
        assert asyncio.get_running_loop().time() - started < 2.0
    finally:
        batcher.close()


async def test_closing_finishes_queued_jobs_and_refuses_new_ones() -> None:
    batcher = MicroBatcher()
    assert await batcher.run("k", Recorder(), ["a"]) == ["A"]
    batcher.close()
    with pytest.raises(ServerBusyError, match="shutting down"):
        await batcher.run("k", Recorder(), ["b"])


def test_settings_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        MicroBatcher(max_batch=0)
    with pytest.raises(ValueError, match="max_texts"):
        ServerLimits(max_texts=0)


async def test_concurrent_requests_are_batched_into_few_model_calls(
    make_app: Callable[..., FastAPI], classifier: TextClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    explain = classifier.explain

    def counting(texts: list[str], method: str = "attention") -> object:
        calls.append(len(texts))
        return explain(texts, method)

    monkeypatch.setattr(classifier, "explain", counting)
    app = make_app({"tiny": classifier})
    async with client_for(app) as client:
        responses = await asyncio.gather(
            *(client.post("/api/v1/explain", json={"texts": [f"great food {i}"]}) for i in range(24))
        )
    assert all(response.status_code == 200 for response in responses)
    assert [r.json()["explanations"][0]["text"] for r in responses] == [f"great food {i}" for i in range(24)]
    assert sum(calls) == 24 and len(calls) < 24


async def test_a_full_queue_answers_503_instead_of_making_clients_wait(
    make_app: Callable[..., FastAPI], classifier: TextClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate, entered = threading.Event(), threading.Event()
    explain = classifier.explain

    def blocked(texts: list[str], method: str = "attention") -> object:
        entered.set()
        assert gate.wait(10)
        return explain(texts, method)

    monkeypatch.setattr(classifier, "explain", blocked)
    app = make_app({"tiny": classifier}, limits=ServerLimits(queue_size=1))
    try:
        async with client_for(app) as client:
            first = asyncio.ensure_future(client.post("/api/v1/explain", json={"texts": ["a"]}))
            await asyncio.to_thread(entered.wait, 5)
            second = asyncio.ensure_future(client.post("/api/v1/explain", json={"texts": ["b"]}))
            while app.state.service.batcher.pending < 1:
                await asyncio.sleep(0.005)
            refused = await client.post("/api/v1/explain", json={"texts": ["c"]})
            assert refused.status_code == 503 and "busy" in refused.json()["message"]
            assert (await client.get("/healthz")).json()["queued"] == 1  # the server itself still answers
            gate.set()
            assert [(await job).status_code for job in (first, second)] == [200, 200]
    finally:
        gate.set()

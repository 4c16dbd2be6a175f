"""Micro-batching: concurrent requests share one model call, run by one worker thread.

Requests put their texts on a bounded queue and await a future. The worker takes the oldest job and
every later job for the same work (same model, same call) until it holds `max_batch` texts, makes one
call, and hands each job its slice of the results. A full queue refuses at once (503) rather than
letting clients wait into their timeouts. One thread keeps the model's CPU work off the event loop,
and torch releases the GIL while it computes, so HTTP parsing goes on in parallel.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from attnviz.web.problems import ServerBusyError

logger = logging.getLogger(__name__)

BatchFunction = Callable[[list[str]], Sequence[Any]]


@dataclass(frozen=True)
class _Job:
    key: Hashable
    function: BatchFunction
    texts: list[str]
    future: asyncio.Future[list[Any]]
    loop: asyncio.AbstractEventLoop


def _settle(outcomes: list[tuple[asyncio.Future[list[Any]], list[Any] | BaseException]]) -> None:
    """Runs on the event loop: resolves each future unless its request was cancelled meanwhile."""
    for future, outcome in outcomes:
        if future.done():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class MicroBatcher:
    """A bounded queue of inference jobs and the one thread that runs them in batches."""

    def __init__(self, *, max_batch: int = 32, max_pending: int = 256, max_wait: float = 0.0) -> None:
        if max_batch < 1 or max_pending < 1 or max_wait < 0:
            raise ValueError("max_batch and max_pending must be at least 1, max_wait at least 0")
        self.max_batch = max_batch
        self.max_pending = max_pending
        self.max_wait = max_wait
        self._jobs: deque[_Job] = deque()
        self._queued_texts = 0
        self._expected = 1  # jobs in the last batch: under steady load, about as many are on their way
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def pending(self) -> int:
        """Jobs waiting for the worker (not counting the batch it is running)."""
        return len(self._jobs)

    async def run(self, key: Hashable, function: BatchFunction, texts: list[str]) -> list[Any]:
        """`function(texts)`, batched with other jobs of the same `key`; raises ServerBusyError when full."""
        loop = asyncio.get_running_loop()
        job = _Job(key, function, texts, loop.create_future(), loop)
        with self._condition:
            if self._closed:
                raise ServerBusyError("The server is shutting down; send the request again once it is back.")
            if len(self._jobs) >= self.max_pending:
                raise ServerBusyError(
                    f"The server is busy: {len(self._jobs)} requests are already waiting for the model; "
                    "retry in a moment."
                )
            self._jobs.append(job)
            self._queued_texts += len(texts)
            if len(self._jobs) == 1 or self._full():
                self._condition.notify()  # only the wake-ups the worker waits for: no churn per request
            if self._thread is None:
                self._start()
        return await job.future

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._work, name="attnviz-inference", daemon=True)
        self._thread.start()

    def close(self, timeout: float = 5.0) -> None:
        """Stops taking jobs, lets the worker finish the queued ones, and waits for it."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _work(self) -> None:
        while (batch := self._next_batch()) is not None:
            self._process(batch)

    def _full(self) -> bool:
        return len(self._jobs) >= self._expected or self._queued_texts >= self.max_batch

    def _next_batch(self) -> list[_Job] | None:
        """The next batch to run, or None once closed and empty.

        Under load, a model call costs about the same for 4 texts as for 8 (an RNN's time steps dominate),
        so the worker waits up to `max_wait` for as many jobs as the last batch had; alone, a job goes at once.
        """
        with self._condition:
            while not self._jobs and not self._closed:
                self._condition.wait()
            if not self._jobs:
                return None
            deadline = time.monotonic() + self.max_wait
            while not self._full() and not self._closed and (remaining := deadline - time.monotonic()) > 0:
                self._condition.wait(remaining)
            batch = self._take()
            self._expected = len(batch)
            return batch

    def _take(self) -> list[_Job]:
        """The oldest job and the later ones for the same work that fit in `max_batch` texts."""
        first = self._jobs.popleft()
        batch, size, left = [first], len(first.texts), deque[_Job]()
        while self._jobs and size < self.max_batch:
            job = self._jobs.popleft()
            if job.key == first.key and size + len(job.texts) <= self.max_batch:
                batch.append(job)
                size += len(job.texts)
            else:
                left.append(job)
        left.extend(self._jobs)
        self._jobs = left
        self._queued_texts -= size
        return batch

    def _process(self, batch: list[_Job]) -> None:
        texts = [text for job in batch for text in job.texts]
        try:
            results = batch[0].function(texts)
        except Exception as error:
            if len(batch) > 1:
                # One request's texts must not fail the others: run each job on its own.
                for job in batch:
                    self._process([job])
                return
            logger.info("inference failed: %s", error)
            self._deliver([(batch[0], error)])
            return
        outcomes: list[tuple[_Job, list[Any] | BaseException]] = []
        position = 0
        for job in batch:
            outcomes.append((job, list(results[position : position + len(job.texts)])))
            position += len(job.texts)
        self._deliver(outcomes)

    @staticmethod
    def _deliver(outcomes: list[tuple[_Job, list[Any] | BaseException]]) -> None:
        """One wake-up per event loop for the whole batch, not one per job."""
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[list[Any]], Any]]] = {}
        for job, outcome in outcomes:
            by_loop.setdefault(job.loop, []).append((job.future, outcome))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:  # the loop has closed: nobody is waiting any more
                logger.debug("dropping results for a closed event loop")

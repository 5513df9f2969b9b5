"""Group commit for batched frames (GUIDE.md §1, "the send path is the hot path").

Calls that arrive while every writer is busy wait for the next free one, which hands them
all to the frame's batch handler: one transaction for all of them. An idle server runs a
batch of one at once, so batching adds no delay; under load it saves a commit and the round
trips per call. Acknowledged still means committed: futures resolve after the batch returns.

Batches run on writer threads of their own, not on asgiref's shared sync thread, so sends
never queue behind page renders, session look-ups on connect or `sync` frames (measured in
docs/benchmarks.md). Each thread keeps its own database connection. One writer thread by
default on every database (PARLEY_SEND_WRITERS): SQLite has one writer at a time anyway,
and on PostgreSQL more writers measured worse (docs/benchmarks.md, scenario d): they split
the load into smaller batches, so more statements and commits per message, and they
contend with the event loop for the GIL. Two calls of one socket never race: a socket
waits for each reply.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, close_old_connections

from parley.conf import settings

MAX_BATCH = 256

BatchHandler = Callable[[list], list]


def default_writers() -> int:
    return int(getattr(settings, "PARLEY_SEND_WRITERS", None) or 1)


class Batcher:
    """Run `handler(calls) -> results` (one result per call, in order) on writer threads."""

    def __init__(self, handler: BatchHandler, *, name: str = "batch", max_batch: int = MAX_BATCH, writers: int | None = None):
        self.handler, self.name, self.max_batch = handler, name, max_batch
        self._writers = writers
        self._pending: list[tuple[object, asyncio.Future]] = []
        self._in_flight = 0
        self._executor: ThreadPoolExecutor | None = None

    @property
    def writers(self) -> int:
        if self._writers is None:
            self._writers = default_writers()
        return self._writers

    async def submit(self, call):
        """Queue one call for the next batch; return its result once the batch has run."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append((call, future))
        self._start_batches()
        return await future

    def _start_batches(self) -> None:
        while self._pending and self._in_flight < self.writers:
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            self._in_flight += 1
            asyncio.get_running_loop().create_task(self._run(batch))

    async def _run(self, batch: list[tuple[object, asyncio.Future]]) -> None:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.writers, thread_name_prefix=f"parley-{self.name}")
        try:
            results = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._call_handler, [call for call, _ in batch]
            )
        except Exception as exc:  # e.g. the database is down: every caller hears it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            for (_, future), result in zip(batch, results):
                if not future.done():
                    future.set_result(result)
        finally:
            self._in_flight -= 1
            self._start_batches()

    def _call_handler(self, calls: list) -> list:
        """Run one batch on a writer thread; drop a connection a database restart broke."""
        try:
            return self.handler(calls)
        except DatabaseError:
            close_old_connections()
            raise

"""Group commit for batched frames (GUIDE.md §1, "the send path is the hot path").

Calls that arrive while every writer is busy wait for the next free one, which hands them
all to the frame's batch handler: one transaction for all of them. An idle server runs a
batch of one at once, so batching adds no delay; under load it saves a commit and the round
trips per call. Acknowledged still means committed: futures resolve after the batch returns.

Batches run on writer threads of their own, not on asgiref's shared sync thread, so sends
never queue behind page renders, session look-ups on connect or `sync` frames (measured in
docs/benchmarks.md). Each thread keeps its own database connection. PARLEY_SEND_WRITERS
sets how many; by default one on SQLite, which has one writer at a time anyway, and two on
PostgreSQL: a batch there is mostly waiting for the server (two round trips and its work on
them), and a second writer fills that wait; in the side-by-side bench, pinned to one core,
two writers held 500–750/s where one held 300/s (docs/benchmarks.md, "peers"). Writers take
row locks in one order (conversations, then stream heads), so they cannot deadlock. Two
calls of one socket never race: a socket waits for each reply.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, close_old_connections, connection

from parley.conf import settings

MAX_BATCH = 256

BatchHandler = Callable[[list], list]


def default_writers() -> int:
    configured = getattr(settings, "PARLEY_SEND_WRITERS", None)
    if configured:
        return int(configured)
    return 2 if connection.vendor == "postgresql" else 1


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

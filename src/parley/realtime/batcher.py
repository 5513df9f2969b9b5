"""Group commit for the WebSocket send path (GUIDE.md §1, "the send path is the hot path").

Sends that arrive while every writer is busy wait for the next free one, which writes
them all in a single transaction. An idle server writes a batch of one at once, so
batching adds no delay; under load it saves a commit and the round trips per send.
Acknowledged still means committed: futures resolve only after the batch commits.

Batches run on writer threads of their own, not on asgiref's shared sync thread, so
sends never queue behind page renders, session look-ups on connect or `sync` frames
(measured in docs/benchmarks.md). Each thread keeps its own database connection.
One writer thread by default on every database (PARLEY_SEND_WRITERS): SQLite has one
writer at a time anyway, and on PostgreSQL more writers measured worse (docs/benchmarks.md,
scenario d): they split the load into smaller batches, so more statements and commits per
message, and they contend with the event loop for the GIL. Two sends of one socket never
race: a socket waits for each ack.
"""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, close_old_connections

from parley.conf import settings
from parley.conversations.access import ConversationCache
from parley.conversations.sending import SendRequest, send_batch

MAX_BATCH = 256


def default_writers() -> int:
    return int(getattr(settings, "PARLEY_SEND_WRITERS", None) or 1)


class SendBatcher:
    def __init__(self, max_batch: int = MAX_BATCH, writers: int | None = None):
        self.max_batch = max_batch
        self._writers = writers
        self._pending: list[tuple[SendRequest, asyncio.Future]] = []
        self._in_flight = 0
        self._executor: ThreadPoolExecutor | None = None
        self._local = threading.local()  # one ConversationCache per writer thread

    @property
    def writers(self) -> int:
        if self._writers is None:
            self._writers = default_writers()
        return self._writers

    async def submit(self, request: SendRequest) -> SendRequest:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        self._start_batches()
        return await future

    def _start_batches(self) -> None:
        while self._pending and self._in_flight < self.writers:
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            self._in_flight += 1
            asyncio.get_running_loop().create_task(self._run(batch))

    async def _run(self, batch: list[tuple[SendRequest, asyncio.Future]]) -> None:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.writers, thread_name_prefix="parley-send")
        try:
            await asyncio.get_running_loop().run_in_executor(
                self._executor, self._write_batch, [request for request, _ in batch]
            )
        except Exception as exc:  # e.g. the database is down: every caller hears it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            for request, future in batch:
                if not future.done():
                    future.set_result(request)
        finally:
            self._in_flight -= 1
            self._start_batches()

    def _write_batch(self, requests: list[SendRequest]) -> None:
        """Run one batch on a writer thread; drop a connection a database restart broke."""
        cache = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = ConversationCache()
        try:
            send_batch(requests, cache=cache)
        except DatabaseError:
            close_old_connections()
            raise


batcher = SendBatcher()

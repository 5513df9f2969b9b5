"""Group commit for the WebSocket send path (GUIDE.md §1, "the send path is the hot path").

Sends that arrive while a batch is being written wait for the next one, and that one
writes them all in a single transaction. An idle server writes a batch of one at once,
so batching adds no delay; under load it saves a commit and the round trips per send.
Acknowledged still means committed: futures resolve only after the batch commits.

Batches run on a writer thread of their own, not on asgiref's shared sync thread, so
sends never queue behind page renders, session look-ups on connect or `sync` frames
(measured in docs/benchmarks.md). The thread keeps its own database connection.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, close_old_connections

from parley.conversations.access import ConversationCache
from parley.conversations.sending import SendRequest, send_batch

MAX_BATCH = 256


class SendBatcher:
    def __init__(self, max_batch: int = MAX_BATCH):
        self.max_batch = max_batch
        self._pending: list[tuple[SendRequest, asyncio.Future]] = []
        self._draining = False
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parley-send")
        self._cache = ConversationCache()  # used only on the writer thread

    async def submit(self, request: SendRequest) -> SendRequest:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((request, future))
        if not self._draining:
            self._draining = True
            asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
                try:
                    await asyncio.get_running_loop().run_in_executor(
                        self._writer, _write_batch, [request for request, _ in batch], self._cache
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
            self._draining = False


batcher = SendBatcher()


def _write_batch(requests: list[SendRequest], cache: ConversationCache) -> None:
    """Run one batch on the writer thread; drop a connection a database restart broke."""
    try:
        send_batch(requests, cache=cache)
    except DatabaseError:
        close_old_connections()
        raise

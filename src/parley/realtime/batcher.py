"""Group commit for the WebSocket send path (GUIDE.md §1, "the send path is the hot path").

Sends wait in one queue. A writer thread takes everything waiting (up to MAX_BATCH) and
writes it in a single transaction, and as soon as that commits it takes the next batch
itself, while the event loop acknowledges and pushes the batch before. An idle server
writes a batch of one at once, so batching adds no delay; under load it saves a commit and
the round trips per send. Acknowledged still means committed: futures resolve only after
the batch commits.

The writer pulls its next batch without waiting for the event loop. When the loop handed
out each batch instead, the writer stood idle while the loop pushed the frames of the batch
before, about 30% of the time at 2,000 msg/s: the two took turns instead of overlapping
(docs/benchmarks.md, scenario b).

Batches run on writer threads of their own, not on asgiref's shared sync thread, so sends
never queue behind page renders, session look-ups on connect or `sync` frames. Each thread
keeps its own database connection. One writer thread by default on every database
(PARLEY_SEND_WRITERS): SQLite has one writer at a time anyway, and on PostgreSQL more
writers measured worse (docs/benchmarks.md, scenario d): they split the load into smaller
batches, so more statements and commits per message, and they contend with the event loop
for the GIL. Two sends of one socket never race: a socket waits for each ack.
"""

import asyncio
import threading
from collections import deque

from django.db import DatabaseError, close_old_connections

from parley.conf import settings
from parley.conversations.access import ConversationCache
from parley.conversations.sending import SendRequest, send_batch

MAX_BATCH = 256

Waiting = tuple[SendRequest, asyncio.Future, asyncio.AbstractEventLoop]


def default_writers() -> int:
    return int(getattr(settings, "PARLEY_SEND_WRITERS", None) or 1)


class SendBatcher:
    def __init__(self, max_batch: int = MAX_BATCH, writers: int | None = None):
        self.max_batch = max_batch
        self._writers = writers
        self._pending: deque[Waiting] = deque()
        self._ready = threading.Condition()
        self._threads: list[threading.Thread] = []

    @property
    def writers(self) -> int:
        if self._writers is None:
            self._writers = default_writers()
        return self._writers

    async def submit(self, request: SendRequest) -> SendRequest:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._ready:
            self._pending.append((request, future, loop))
            if len(self._threads) < self.writers:
                self._start_writer()
            self._ready.notify()
        return await future

    def _start_writer(self) -> None:
        """Start one more writer thread; caller holds self._ready."""
        thread = threading.Thread(
            target=self._writer, name=f"parley-send_{len(self._threads)}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _next_batch(self) -> list[Waiting]:
        with self._ready:
            while not self._pending:
                self._ready.wait()
            take = min(len(self._pending), self.max_batch)
            return [self._pending.popleft() for _ in range(take)]

    def _writer(self) -> None:
        """A writer thread's life: take what waits, write it, hand the outcome to the loops."""
        cache = ConversationCache()  # one per thread: it is not thread-safe
        while True:
            batch = self._next_batch()
            error = None
            try:
                send_batch([request for request, _, _ in batch], cache=cache)
            except DatabaseError as exc:  # e.g. the database restarted: reconnect for the next batch
                close_old_connections()
                error = exc
            except Exception as exc:  # every caller hears it; the writer lives on
                error = exc
            self._settle(batch, error)

    @staticmethod
    def _settle(batch: list[Waiting], error: BaseException | None) -> None:
        """Resolve each caller's future on its own event loop, one wake-up per loop."""
        by_loop: dict[asyncio.AbstractEventLoop, list[Waiting]] = {}
        for waiting in batch:
            by_loop.setdefault(waiting[2], []).append(waiting)
        for loop, items in by_loop.items():
            try:
                loop.call_soon_threadsafe(_resolve, items, error)
            except RuntimeError:  # that loop has closed: nobody is waiting any more
                pass


def _resolve(items: list[Waiting], error: BaseException | None) -> None:
    for request, future, _ in items:
        if future.done():  # the caller went away (its socket closed)
            continue
        if error is None:
            future.set_result(request)
        else:
            future.set_exception(error)


batcher = SendBatcher()

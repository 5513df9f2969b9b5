"""Group commit for batched frames (GUIDE.md §1, "the send path is the hot path").

Calls that arrive while every writer is busy wait for the next free one, which hands them
all to the frame's batch handler: one transaction for all of them. An idle server runs a
batch of one at once, so batching adds no delay; under load it saves a commit and the round
trips per call. Acknowledged still means committed: futures resolve after the batch returns.

Batches run where PARLEY_SEND_WRITERS says. On PostgreSQL by default (0) they run on the event
loop's own thread, one at a time, in a greenlet whose database waits yield to the loop
(core.loopdb): sends that arrive meanwhile gather into the next batch. Writer threads cost more
than that on one core: at 500/s in the side-by-side bench, 0.94-0.99 ms of the server's CPU per
message against 1.08-1.13 on two writer threads, and PostgreSQL's own CPU 0.63-0.67 against
1.01-1.06 ms (docs/benchmarks.md, "The send batch on the event loop"). SQLite's work does not
wait on a socket, so there it would block the loop: by default one writer thread (SQLite has
one writer at a time anyway), with its own database connection, not asgiref's shared sync
thread, so sends never queue behind page renders, session look-ups on connect or `sync` frames.
With writer threads (N > 0) each keeps its own connection; writers take row locks in one order
(conversations, then stream heads), so they cannot deadlock. Two calls of one socket never
race: a socket waits for each reply.

A batch's fixed cost (the transaction, a statement per table, the commit) is most of a small
batch's: at 500 sends a second on one pinned core the writer ran batches of 1.1-1.3 sends at
1.4-1.5 ms of CPU per send, and gathered into batches of two, 1.1 ms (docs/benchmarks.md,
"A window for the send batch"). So a batch that could start may wait until its oldest call
has waited PARLEY_SEND_WINDOW_MS, while calls arrive at least one per two windows on average
(an exponential average of the gaps between arrivals); a full batch starts at once. A quiet
server's sends never wait, and no call waits for company longer than the window after it
arrived: time spent queued behind a busy writer counts, so a call that queued that long goes
as soon as a writer is free.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, close_old_connections, connection

from parley.conf import settings
from parley.core.loopdb import run_on_loop

MAX_BATCH = 256

BatchHandler = Callable[[list], list]


def default_window() -> float:
    """Seconds a batch may wait for company (PARLEY_SEND_WINDOW_MS; 0: never)."""
    return float(getattr(settings, "PARLEY_SEND_WINDOW_MS", 0) or 0) / 1000


def default_writers() -> int:
    """Writer threads for batches (PARLEY_SEND_WRITERS); 0: on the event loop (core.loopdb)."""
    configured = getattr(settings, "PARLEY_SEND_WRITERS", None)
    if configured is not None:
        return int(configured)
    return 0 if connection.vendor == "postgresql" else 1


class Batcher:
    """Run `handler(calls) -> results` (one result per call, in order) on writer threads."""

    def __init__(self, handler: BatchHandler, *, name: str = "batch", max_batch: int = MAX_BATCH,
                 writers: int | None = None, window: float | None = None):
        self.handler, self.name, self.max_batch = handler, name, max_batch
        self._writers, self._window = writers, window
        self._pending: list[tuple[object, asyncio.Future, float]] = []  # (call, future, arrival in loop time)
        self._in_flight = 0
        self._executor: ThreadPoolExecutor | None = None
        self._gap = float("inf")  # the recent arrivals' mean interval (an exponential average)
        self._last_arrival = None
        self._timer: asyncio.TimerHandle | None = None

    @property
    def writers(self) -> int:
        if self._writers is None:
            self._writers = default_writers()
        return self._writers

    @property
    def window(self) -> float:
        if self._window is None:
            self._window = default_window()
        return self._window

    async def submit(self, call):
        """Queue one call for the next batch; return its result once the batch has run."""
        loop = asyncio.get_running_loop()
        future, now = loop.create_future(), loop.time()  # the clock of the window's timers
        self._arrived(now)
        self._pending.append((call, future, now))
        if self._timer is None or len(self._pending) >= self.max_batch:
            self._start_batches()
        return await future

    def _arrived(self, now: float) -> None:
        if self._last_arrival is not None:
            gap = now - self._last_arrival
            self._gap = gap if self._gap == float("inf") else 0.8 * self._gap + 0.2 * gap
        self._last_arrival = now

    def _wait_left(self) -> float:
        """Seconds the next batch should still wait for company: until its oldest call has
        waited a window, while calls arrive at least one per two windows; else 0."""
        if not self.window or self._gap >= 2 * self.window or len(self._pending) >= self.max_batch:
            return 0.0
        return self._pending[0][2] + self.window - asyncio.get_running_loop().time()

    def _window_over(self) -> None:
        self._timer = None
        self._start_batches()

    def _start_batches(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._pending and self._in_flight < max(self.writers, 1):
            if (wait := self._wait_left()) > 0:
                self._timer = asyncio.get_running_loop().call_later(wait, self._window_over)
                return
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            self._in_flight += 1
            asyncio.get_running_loop().create_task(self._run(batch))

    async def _run(self, batch: list[tuple[object, asyncio.Future, float]]) -> None:
        try:
            results = await self._execute([call for call, _, _ in batch])
        except Exception as exc:  # e.g. the database is down: every caller hears it
            for _, future, _ in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            for (_, future, _), result in zip(batch, results):
                if not future.done():
                    future.set_result(result)
        finally:
            self._in_flight -= 1
            self._start_batches()

    async def _execute(self, calls: list) -> list:
        if not self.writers:
            return await run_on_loop(self._call_handler, calls)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.writers, thread_name_prefix=f"parley-{self.name}")
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._call_handler, calls)

    def _call_handler(self, calls: list) -> list:
        """Run one batch (on a writer thread or the loop's greenlet); drop a broken connection."""
        try:
            return self.handler(calls)
        except DatabaseError:
            close_old_connections()
            raise

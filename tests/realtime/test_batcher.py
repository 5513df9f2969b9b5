"""realtime.batcher.Batcher: where batches run (writer threads, or the event loop on
PostgreSQL), and its window: calls that arrive close together share a batch; a lone call and
a full batch never wait for company, nor do calls that already waited a window behind a busy
writer."""

import asyncio
import threading
import time

import pytest
from django.db import connection

from parley.realtime.batcher import Batcher, default_window, default_writers


class Recorder:
    """A batch handler that records each batch's calls (and can hold the writer busy)."""

    def __init__(self):
        self.batches: list[list] = []
        self.hold = threading.Event()
        self.hold.set()

    def __call__(self, calls: list) -> list:
        self.hold.wait(5)
        self.batches.append(list(calls))
        return [f"done {c}" for c in calls]


async def _spaced(batcher: Batcher, calls, gap: float) -> list:
    tasks = []
    for call in calls:
        tasks.append(asyncio.create_task(batcher.submit(call)))
        await asyncio.sleep(gap)
    return await asyncio.wait_for(asyncio.gather(*tasks), 5)


def test_calls_arriving_faster_than_the_window_share_a_batch():
    def go(window):
        handler = Recorder()
        batcher = Batcher(handler, writers=1, window=window)

        async def main():
            assert await _spaced(batcher, ["a1", "a2", "a3"], 0.005) == ["done a1", "done a2", "done a3"]
            await _spaced(batcher, ["b1", "b2", "b3"], 0.005)
        asyncio.run(main())
        return [len(b) for b in handler.batches]

    assert go(0.25) == [1, 2, 3], "the first call ever goes alone; then they wait for each other"
    assert go(0.0) == [1] * 6, "without a window each finds the writer free and goes alone"


def test_calls_arriving_slower_than_the_window_never_wait():
    """A quiet conversation's sends go at once: the window is only for a busy server."""
    handler = Recorder()
    batcher = Batcher(handler, writers=1, window=0.5)

    async def main():
        waits = []
        for i in range(3):
            start = time.monotonic()
            await asyncio.wait_for(batcher.submit(i), 5)
            waits.append(time.monotonic() - start)
            await asyncio.sleep(1.1)  # slower than one call per two windows
        return waits

    assert max(asyncio.run(main())) < 0.25
    assert [len(b) for b in handler.batches] == [1, 1, 1]


def test_a_full_batch_starts_at_once():
    handler = Recorder()
    batcher = Batcher(handler, writers=1, window=30.0, max_batch=3)

    async def main():
        await batcher.submit("warm")
        await asyncio.sleep(0.01)
        start = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*(batcher.submit(i) for i in range(3))), 5)
        return time.monotonic() - start

    assert asyncio.run(main()) < 5
    assert [len(b) for b in handler.batches] == [1, 3]


def test_calls_queued_behind_a_busy_writer_go_as_soon_as_it_is_free():
    handler = Recorder()
    batcher = Batcher(handler, writers=1, window=1.0)

    async def main():
        handler.hold.clear()  # the writer is busy with the first batch
        first = asyncio.create_task(batcher.submit("busy"))
        await asyncio.sleep(0.05)
        queued = [asyncio.create_task(batcher.submit(i)) for i in range(2)]
        await asyncio.sleep(1.2)  # longer than the window: they have waited it out behind the writer
        handler.hold.set()
        start = time.monotonic()
        await asyncio.wait_for(asyncio.gather(first, *queued), 5)
        return time.monotonic() - start

    assert asyncio.run(main()) < 0.5, "no second window once the writer is free"
    assert [len(b) for b in handler.batches] == [1, 2]


def test_the_window_comes_from_the_setting(settings):
    settings.PARLEY_SEND_WINDOW_MS = 3
    assert default_window() == 0.003
    settings.PARLEY_SEND_WINDOW_MS = 0
    assert default_window() == 0.0


def test_without_writer_threads_batches_run_on_the_loop_one_at_a_time():
    threads = []

    def handler(calls):
        threads.append(threading.get_ident())
        return [f"done {c}" for c in calls]

    async def main():
        batcher = Batcher(handler, writers=0, window=0.0)
        return await asyncio.wait_for(asyncio.gather(*(batcher.submit(i) for i in range(5))), 5), batcher

    results, batcher = asyncio.run(main())
    assert results == [f"done {i}" for i in range(5)]
    assert threads == [threading.get_ident()] * 2, "on the loop's thread, the first call alone, then the rest"
    assert batcher._executor is None


@pytest.mark.django_db(transaction=True)
def test_on_the_loop_a_batch_waiting_for_postgresql_lets_the_next_calls_gather():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: there the batches run on the event loop by default")
    batches = []

    def handler(calls):
        with connection.cursor() as cur:
            cur.execute("SELECT pg_sleep(0.3)")
        batches.append(list(calls))
        return calls

    async def main():
        batcher = Batcher(handler, window=0.0)
        assert batcher.writers == 0, "the default on PostgreSQL"
        first = asyncio.create_task(batcher.submit("first"))
        ticks = 0
        for _ in range(10):  # the loop keeps running while the first batch waits for the server
            await asyncio.sleep(0.01)
            ticks += 1
        rest = [asyncio.create_task(batcher.submit(i)) for i in range(3)]
        await asyncio.wait_for(asyncio.gather(first, *rest), 5)
        return ticks

    start = time.monotonic()
    assert asyncio.run(main()) == 10
    assert time.monotonic() - start < 0.9, "ten 10 ms ticks during a 0.3 s query, not after it"
    assert batches == [["first"], [0, 1, 2]], "one batch in flight; the calls that came meanwhile share the next"


def test_the_writers_come_from_the_setting(settings):
    settings.PARLEY_SEND_WRITERS = 3
    assert default_writers() == 3
    settings.PARLEY_SEND_WRITERS = 0
    assert default_writers() == 0
    settings.PARLEY_SEND_WRITERS = None
    assert default_writers() == (0 if connection.vendor == "postgresql" else 1)

"""realtime/lean_ws: the lighter receive queue and write flag keep asyncio's behaviour.

The protocol itself runs under every live-server test (`parley serve` uses it)."""

import asyncio

import pytest

from parley.realtime.lean_ws import Flag, LeanWebSocketProtocol, ReceiveQueue


def run(coro):
    return asyncio.run(coro)


def test_the_queue_hands_items_over_in_order_and_wakes_a_waiting_reader():
    async def main():
        queue = ReceiveQueue()
        assert queue.empty() and queue.qsize() == 0
        reader = asyncio.create_task(queue.get())
        await asyncio.sleep(0)
        assert not reader.done()
        queue.put_nowait("a")
        queue.put_nowait("b")
        assert await reader == "a"
        assert queue.qsize() == 1 and not queue.empty()
        assert await queue.get() == "b"
        assert queue.empty() and queue._items is None  # nothing kept while idle

    run(main())


def test_a_cancelled_get_leaves_the_queue_usable():
    async def main():
        queue = ReceiveQueue()
        reader = asyncio.create_task(queue.get())
        await asyncio.sleep(0)
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        queue.put_nowait("after")
        assert await asyncio.wait_for(queue.get(), 1) == "after"

    run(main())


def test_the_flag_blocks_writers_while_clear_and_releases_them_all_when_set():
    async def main():
        flag = Flag(True)
        assert await flag.wait() is True
        flag.clear()
        waiters = [asyncio.create_task(flag.wait()) for _ in range(3)]
        await asyncio.sleep(0)
        assert not any(w.done() for w in waiters)
        flag.set()
        assert await asyncio.gather(*waiters) == [True, True, True]
        assert flag._waiters is None

    run(main())


def test_a_cancelled_wait_is_forgotten():
    async def main():
        flag = Flag(False)
        waiter = asyncio.create_task(flag.wait())
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert not flag._waiters
        flag.set()

    run(main())


def test_parley_serve_runs_the_lean_protocol():
    import inspect

    from parley import cli

    assert "ws=LeanWebSocketProtocol" in inspect.getsource(cli._run_uvicorn)
    assert issubclass(LeanWebSocketProtocol, asyncio.Protocol)

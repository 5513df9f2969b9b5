"""core.loopdb: synchronous database code on the event loop's thread, whose PostgreSQL waits
let the loop serve everything else meanwhile."""

import asyncio
import threading

import pytest
from django.db import DatabaseError, connection, transaction

from parley.core.loopdb import run_on_loop
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's work never waits on a socket, so it cannot yield")


def _query(sql: str, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


async def _ticks_while(coro) -> tuple[object, int]:
    """(coro's result, how many 10 ms ticks another task made on the loop meanwhile)."""
    ticks = 0
    done = asyncio.Event()

    async def ticker():
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        return await coro, ticks
    finally:
        done.set()
        await task


def test_a_slow_query_lets_the_loop_run_meanwhile():
    _postgres_only()
    loop_thread = threading.get_ident()

    def slow():
        assert threading.get_ident() == loop_thread, "the code runs on the loop's own thread"
        return _query("SELECT 42 FROM pg_sleep(0.4)")

    rows, ticks = asyncio.run(_ticks_while(run_on_loop(slow)))
    assert rows == [(42,)]
    assert ticks >= 15, f"the loop was blocked during the query: {ticks} ticks in 0.4 s"


def test_the_orm_and_transactions_work_inside_and_the_loop_is_back_after():
    _postgres_only()
    user = f.user("loopdb")

    def rename():
        assert asyncio._get_running_loop() is None, "Django must see a synchronous caller"
        with transaction.atomic():
            type(user).objects.filter(pk=user.pk).update(first_name="Renamed")
            committed = []
            transaction.on_commit(lambda: committed.append(True))
        return committed

    async def main():
        committed = await run_on_loop(rename)
        asyncio.get_running_loop()  # raises if run_on_loop left the loop hidden
        return committed

    assert asyncio.run(main()) == [True], "on_commit ran after the commit"
    user.refresh_from_db()
    assert user.first_name == "Renamed"


def test_every_call_uses_the_threads_own_connection():
    _postgres_only()

    async def main():
        first = await run_on_loop(_query, "SELECT pg_backend_pid()")
        second = await run_on_loop(_query, "SELECT pg_backend_pid()")
        return first, second

    first, second = asyncio.run(main())
    assert first == second == _query("SELECT pg_backend_pid()")


def test_a_database_error_reaches_the_caller_as_djangos_and_the_connection_recovers():
    _postgres_only()

    async def main():
        with pytest.raises(DatabaseError):
            await run_on_loop(_query, "SELECT * FROM no_such_table_here")
        await run_on_loop(connection.close)  # as the Batcher does after a DatabaseError
        return await run_on_loop(_query, "SELECT 7")

    assert asyncio.run(main()) == [(7,)]


def test_a_new_connection_is_made_inside_without_blocking_the_loop():
    _postgres_only()
    connection.close()

    def connect_and_sleep():
        return _query("SELECT 1 FROM pg_sleep(0.2)")

    rows, ticks = asyncio.run(_ticks_while(run_on_loop(connect_and_sleep)))
    assert rows == [(1,)] and ticks >= 8


def test_calls_on_one_loop_take_turns_on_the_one_connection():
    """Two at once would share the thread's connection (and deadlock on psycopg's lock)."""
    _postgres_only()
    spans = []

    def slow(name):
        began = _query("SELECT clock_timestamp()")[0][0]
        _query("SELECT pg_sleep(0.2)")
        spans.append((name, began, _query("SELECT clock_timestamp()")[0][0]))

    async def main():
        await asyncio.gather(run_on_loop(slow, "a"), run_on_loop(slow, "b"))

    asyncio.run(main())
    (_, _, first_end), (_, second_start, _) = sorted(spans, key=lambda span: span[1])
    assert first_end <= second_start, "the second call began only after the first had ended"


def test_an_error_of_the_code_itself_propagates():
    def broken():
        raise ValueError("nope")

    with pytest.raises(ValueError, match="nope"):
        asyncio.run(run_on_loop(broken))


def test_outside_run_on_loop_psycopg_waits_as_before():
    """A writer thread's query (and this test's own) still waits in psycopg's blocking wait."""
    _postgres_only()
    asyncio.run(run_on_loop(_query, "SELECT 1"))  # the wait functions are wrapped by now
    out = []

    def in_a_thread():
        try:
            out.append(_query("SELECT 5"))
        finally:
            connection.close()

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join(10)
    assert out == [[(5,)]]
    assert _query("SELECT 6") == [(6,)]

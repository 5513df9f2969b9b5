"""Synchronous database code on the event loop's thread, its PostgreSQL waits yielding to the loop.

The send batch ran on writer threads, each with its own connection. On one core the threads
cost more than the batch's own work: in the side-by-side bench at 500/s on PostgreSQL, the same
batches run on the loop's thread took 0.94-0.99 ms of the server's CPU per message against
1.08-1.13 on two writer threads, and PostgreSQL's own CPU 0.63-0.67 against 1.01-1.06 ms, one
connection's batches being bigger and never contending with each other (docs/benchmarks.md,
"The send batch on the event loop"). Blocking the loop for every round trip is not an option,
so `run_on_loop` runs the synchronous code (Django's ORM, its transactions and on_commit, the
send path's raw SQL) in a greenlet: whenever psycopg would wait for the server, the greenlet
hands the wait to the event loop as an awaitable and the loop serves its sockets until the
answer is there. This is SQLAlchemy's asyncio bridge (greenlet_spawn / await_only), applied to
psycopg's own wait functions, which it looks up at call time and which `install` wraps once per
process.

Inside the greenlet the running loop is hidden, so Django sees a synchronous caller: its
async-safety check passes, and its connection is this thread's synchronous one, used by
nothing else (async code on this thread sees its per-task connections, other sync code runs
on other threads). So `run_on_loop` calls on one loop run one after the other (a lock per
loop), and the Batcher runs one batch at a time in this mode. Anything that blocks without
going through psycopg blocks the loop for that long: SQLite (which is why SQLite keeps a
writer thread) and the Redis cache of the rate limit (one round trip per batch, with the
timeouts of settings.CACHES).
"""

import asyncio
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from greenlet import getcurrent, greenlet

T = TypeVar("T")

_installed = False
_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = weakref.WeakKeyDictionary()


class _LoopGreenlet(greenlet):
    """A greenlet run by run_on_loop: its waits are awaited by the task that runs it."""


def _await(awaitable) -> Any:
    """Hand `awaitable` to the task that runs this greenlet; return what it gave."""
    return getcurrent().parent.switch(awaitable)


async def run_on_loop(fn: Callable[..., T], *args) -> T:
    """Return `fn(*args)`, run on this thread; its psycopg waits let the loop run meanwhile."""
    install()
    loop = asyncio.get_running_loop()
    lock = _locks.get(loop)
    if lock is None:
        lock = _locks[loop] = asyncio.Lock()
    async with lock:  # one connection per thread: never two callers on it at once
        return await _drive(loop, _LoopGreenlet(fn, parent=getcurrent()), args)


async def _drive(loop: asyncio.AbstractEventLoop, child: greenlet, args: tuple):
    """Run `child` until it ends, awaiting for it each awaitable it hands over (_await)."""
    sent, thrown = args, None
    while True:
        asyncio._set_running_loop(None)  # Django must see a sync caller, as on a writer thread
        try:
            if thrown is not None:
                step = child.throw(thrown)
            else:
                step = child.switch(*sent)
        finally:
            asyncio._set_running_loop(loop)
        if child.dead:
            return step
        try:
            sent, thrown = (await step,), None
        except BaseException as exc:  # cancellation included: raised inside, where psycopg waited
            thrown = exc


def _ours() -> bool:
    return isinstance(getcurrent(), _LoopGreenlet)


def install() -> None:
    """Wrap psycopg's wait functions once: in a run_on_loop greenlet they await, else as before."""
    global _installed
    if _installed:
        return
    try:
        from psycopg import waiting
    except ImportError:  # SQLite only
        _installed = True
        return
    blocking_wait, blocking_wait_conn = waiting.wait, waiting.wait_conn

    def wait(gen, fileno, interval=0.0, timeout=None):
        if not _ours():
            return blocking_wait(gen, fileno, interval=interval, timeout=timeout)
        return _await(waiting.wait_async(gen, fileno, interval=interval, timeout=timeout))

    def wait_conn(gen, interval=0.0, timeout=None):
        if not _ours():
            return blocking_wait_conn(gen, interval=interval, timeout=timeout)
        return _await(waiting.wait_conn_async(gen, interval=interval, timeout=timeout))

    waiting.wait, waiting.wait_conn = wait, wait_conn
    _installed = True

"""Long-poll reads of a user's stream: the fallback transport when a WebSocket cannot open.

A waiting poll holds no thread and no database connection: it awaits a future in this
process's hub, which the broker resolves for every doorbell of that user (from any
process), then reads the stream again. No busy polling.
"""

import asyncio
import time

from asgiref.sync import sync_to_async
from django.db import close_old_connections

from parley.stream.append import Event
from parley.stream.hub import hub
from parley.stream.read import stream_since

MAX_TIMEOUT = 30.0


def _read(user, since: int, limit: int) -> tuple[list[Event], int, bool]:
    try:
        return stream_since(user=user, since=since, limit=limit)
    finally:
        # Do not hold a database connection while the poll waits (CONN_MAX_AGE decides).
        close_old_connections()


async def stream_wait(*, user, since: int, limit: int, timeout: float) -> tuple[list[Event], int, bool]:
    """Return stream_since(...) at once when it has events; otherwise wait up to timeout seconds."""
    timeout = max(0.0, min(float(timeout), MAX_TIMEOUT))
    deadline = time.monotonic() + timeout
    read = sync_to_async(_read)
    while True:
        # Register before reading, so a commit between the read and the wait still wakes us.
        waiter = hub.waiter(user.pk)
        try:
            found, head, resync = await read(user, since, limit)
            remaining = deadline - time.monotonic()
            if found or resync or remaining <= 0:
                return found, head, resync
            try:
                await asyncio.wait_for(asyncio.shield(waiter), remaining)
            except asyncio.TimeoutError:
                return await read(user, since, limit)
        finally:
            hub.forget(user.pk, waiter)

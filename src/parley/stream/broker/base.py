"""The broker carries doorbells from the process that committed to every process's hub.

Delivery through the broker is at-most-once: the database stream is the truth, and
clients recover anything lost with `sync since=cursor`.
"""

import asyncio
import logging
import threading
from collections.abc import Callable

logger = logging.getLogger("parley.broker")

# deliver(user_id, seq, frame): seq is the event's stream seq, 0 for a live-only signal.
Deliver = Callable[[int, int, str], None]
Control = Callable[[int, dict], None]


class Broker:
    """Publish to user ids; `start` wires incoming messages to this process's hub."""

    def publish_many(self, frames: list[tuple[int, int, str]]) -> None:
        """Publish (user_id, seq, frame) triples in order: one call per commit, not per frame.

        Safe from any thread.
        """
        raise NotImplementedError

    def publish_control(self, user_id: int, message: dict) -> None:
        """Send a control message (e.g. close a session's sockets) to every process."""
        raise NotImplementedError

    async def start(self, deliver: Deliver, control: Control) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    def healthy(self) -> bool:
        return True


class MemoryBroker(Broker):
    """One process: hand the frame to the hub on the server's event loop."""

    def __init__(self):
        self._loop: asyncio.AbstractEventLoop | None = None
        self._deliver: Deliver | None = None
        self._control: Control | None = None
        self._lock = threading.Lock()

    async def start(self, deliver: Deliver, control: Control) -> None:
        with self._lock:
            self._loop = asyncio.get_running_loop()
            self._deliver, self._control = deliver, control

    async def stop(self) -> None:
        with self._lock:
            self._loop = self._deliver = self._control = None

    def _call(self, fn, *args) -> None:
        loop = self._loop
        if loop is None or fn is None or loop.is_closed():
            return  # No server loop in this process, so no sockets to ring.
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            fn(*args)
        else:
            loop.call_soon_threadsafe(fn, *args)

    def publish_many(self, frames: list[tuple[int, int, str]]) -> None:
        self._call(self._deliver_many, frames)

    def _deliver_many(self, frames: list[tuple[int, int, str]]) -> None:
        deliver = self._deliver
        if deliver is not None:
            for user_id, seq, frame in frames:
                deliver(user_id, seq, frame)

    def publish_control(self, user_id: int, message: dict) -> None:
        self._call(self._control, user_id, message)

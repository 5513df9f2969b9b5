"""The broker carries doorbells from the process that committed to every process's hub.

Delivery through the broker is at-most-once: the database stream is the truth, and
clients recover anything lost with `sync since=cursor`.
"""

import asyncio
import logging
import threading
from collections.abc import Callable
from functools import lru_cache

from parley.conf import settings

logger = logging.getLogger("parley.broker")

Deliver = Callable[[int, str], None]
Control = Callable[[int, dict], None]


class Broker:
    """Publish to user ids; `start` wires incoming messages to this process's hub."""

    # Whether publish_many can leave the sending socket out of its own event (that socket
    # gets the event inside its ack instead, docs/protocol.md). Only where the socket is in
    # this process's hub when the frame is delivered: the memory broker.
    skips_origin = False

    def publish(self, user_id: int, frame: str) -> None:
        """Send one ready-made frame to every connection of user_id. Safe from any thread."""
        raise NotImplementedError

    def publish_many(self, frames: list[tuple[int, str]], *, skip: dict[int, object] | None = None) -> None:
        """Publish (user_id, frame) pairs in order: one call per commit, not per frame.

        `skip` maps the position of a frame to the socket that must not get it; brokers
        that cannot (skips_origin False) are never given one.
        """
        for user_id, frame in frames:
            self.publish(user_id, frame)

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

    skips_origin = True

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

    def publish(self, user_id: int, frame: str) -> None:
        self._call(self._deliver, user_id, frame)

    def publish_many(self, frames: list[tuple[int, str]], *, skip: dict[int, object] | None = None) -> None:
        self._call(self._deliver_many, frames, skip)

    def _deliver_many(self, frames: list[tuple[int, str]], skip: dict[int, object] | None) -> None:
        deliver = self._deliver
        if deliver is None:
            return
        if not skip:
            for user_id, frame in frames:
                deliver(user_id, frame)
            return
        for i, (user_id, frame) in enumerate(frames):
            deliver(user_id, frame, skip.get(i))

    def publish_control(self, user_id: int, message: dict) -> None:
        self._call(self._control, user_id, message)


@lru_cache(maxsize=1)
def get_broker() -> Broker:
    """Return this process's broker, chosen by settings.PARLEY_BROKER."""
    kind = settings.PARLEY_BROKER
    if kind == "memory":
        return MemoryBroker()
    if kind == "redis":
        from .redis_broker import RedisBroker

        return RedisBroker(settings.REDIS_URL, prefix=settings.PARLEY_REDIS_PREFIX)
    raise ValueError(f"PARLEY_BROKER is {kind!r}; use 'memory' or 'redis' (set REDIS_URL for redis).")

"""This process's table of open sockets: user id -> connections. Rebuilt by reconnects.

It also holds long-poll waiters (user id -> futures), woken by the same doorbell that
pushes to sockets, so a long-poll on process A wakes for a send committed on process B.
Everything here runs on the server's event loop.
"""

import asyncio
import logging
from collections import defaultdict
from typing import Protocol

import orjson

logger = logging.getLogger("parley.hub")

SYNC_HINT = orjson.dumps({"type": "sync_hint"}).decode()


class Connection(Protocol):
    user_id: int
    session_key: str

    def push(self, frame: str, seq: int = 0) -> None: ...

    def close_soon(self, code: int, reason: str) -> None: ...


class Hub:
    def __init__(self):
        self._by_user: dict[int, set[Connection]] = defaultdict(set)
        self._waiters: dict[int, set[asyncio.Future]] = defaultdict(set)
        # Control message types other modules handle (stream.presence): type -> fn(user_id, message).
        self.control_handlers: dict[str, object] = {}

    def add(self, conn: Connection) -> None:
        self._by_user[conn.user_id].add(conn)

    def remove(self, conn: Connection) -> None:
        conns = self._by_user.get(conn.user_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self._by_user[conn.user_id]

    def deliver(self, user_id: int, seq: int, frame: str) -> None:
        """Push the frame to every socket of the user; an event (seq > 0) also wakes their long-polls.

        Each socket drops an event it already wrote inside an ack (docs/protocol.md).
        """
        for conn in tuple(self._by_user.get(user_id, ())):
            conn.push(frame, seq)
        if seq:
            self._wake(user_id)

    def control(self, user_id: int, message: dict) -> None:
        if message.get("type") == "logout":
            for conn in tuple(self._by_user.get(user_id, ())):
                if not message.get("session_key") or conn.session_key == message["session_key"]:
                    conn.close_soon(4401, "logged out")
        elif message.get("type") == "revoke":  # deactivated, or the password changed: every session
            reason = "account deactivated" if message.get("reason") == "deactivated" else "password changed"
            for conn in tuple(self._by_user.get(user_id, ())):
                conn.close_soon(4401, reason)
        elif (handler := self.control_handlers.get(message.get("type"))) is not None:
            handler(user_id, message)

    def hint_sync(self) -> None:
        """Tell every local socket and long-poll to sync: pushes may have been missed."""
        for conns in tuple(self._by_user.values()):
            for conn in tuple(conns):
                conn.push(SYNC_HINT)
        for user_id in tuple(self._waiters):
            self._wake(user_id)

    # --- long-poll waiters ----------------------------------------------------------
    def waiter(self, user_id: int) -> asyncio.Future:
        """Register a future resolved by the user's next doorbell; pair with `forget`.

        Register before reading the stream, so an event committed in between still wakes it.
        """
        future = asyncio.get_running_loop().create_future()
        self._waiters[user_id].add(future)
        return future

    def forget(self, user_id: int, future: asyncio.Future) -> None:
        waiters = self._waiters.get(user_id)
        if waiters is not None:
            waiters.discard(future)
            if not waiters:
                del self._waiters[user_id]
        if not future.done():
            future.cancel()

    def _wake(self, user_id: int) -> None:
        for future in self._waiters.pop(user_id, ()):
            if not future.done():
                future.set_result(None)

    def waiter_count(self) -> int:
        return sum(len(w) for w in self._waiters.values())

    def connection_count(self) -> int:
        return sum(len(conns) for conns in self._by_user.values())

    def user_connection_count(self, user_id: int) -> int:
        return len(self._by_user.get(user_id, ()))

    def user_count(self) -> int:
        return len(self._by_user)


hub = Hub()

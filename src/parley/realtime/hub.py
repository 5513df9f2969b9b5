"""This process's table of open sockets: user id -> connections. Rebuilt by reconnects."""

import logging
from collections import defaultdict
from typing import Protocol

logger = logging.getLogger("parley.hub")


class Connection(Protocol):
    user_id: int
    session_key: str

    def push(self, frame: str) -> None: ...

    def close_soon(self, code: int, reason: str) -> None: ...


class Hub:
    def __init__(self):
        self._by_user: dict[int, set[Connection]] = defaultdict(set)

    def add(self, conn: Connection) -> None:
        self._by_user[conn.user_id].add(conn)

    def remove(self, conn: Connection) -> None:
        conns = self._by_user.get(conn.user_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self._by_user[conn.user_id]

    def deliver(self, user_id: int, frame: str) -> None:
        for conn in tuple(self._by_user.get(user_id, ())):
            conn.push(frame)

    def control(self, user_id: int, message: dict) -> None:
        if message.get("type") == "logout":
            for conn in tuple(self._by_user.get(user_id, ())):
                if not message.get("session_key") or conn.session_key == message["session_key"]:
                    conn.close_soon(4401, "logged out")

    def connection_count(self) -> int:
        return sum(len(conns) for conns in self._by_user.values())

    def user_count(self) -> int:
        return len(self._by_user)


hub = Hub()

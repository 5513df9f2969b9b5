"""uvicorn's sans-I/O WebSocket protocol, with less kept per open socket, for `parley serve`.

An idle socket is most of what a chat server holds: people leave the page open. uvicorn's
protocol gives each one an asyncio.Queue for the frames it received (three deques of 760
bytes each, empty or not), an asyncio.Event for the transport's write flow control (a fourth
deque), and keeps the handshake's request and response objects for the socket's life. Here
the queue and the event hold only what they are given, and the handshake objects are let go
once the socket is accepted (the request's headers emptied, as websockets' parser still holds
the request): 13.8 KiB per idle socket instead of 22.7 with `server.HeaderTimeoutH11Protocol`
letting go at the upgrade too (docs/benchmarks.md, "what a socket keeps").
Everything else, framing, keepalive pings and limits, is uvicorn's and websockets'.

It also writes a text frame at once when nothing holds it back (`send_text_now`): the ASGI
`send` is a coroutine, so each frame the endpoint pushes would otherwise cost a task to await
it, two per message sent (the sender's ack, the recipient's copy; docs/benchmarks.md).
"""

import asyncio

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState


class ReceiveQueue:
    """asyncio.Queue's put_nowait / get / empty for the socket's one reader (the ASGI app)."""

    __slots__ = ("_items", "_waiter")

    def __init__(self):
        self._items: list | None = None
        self._waiter: asyncio.Future | None = None

    def put_nowait(self, item) -> None:
        if self._items is None:
            self._items = [item]
        else:
            self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self):
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        item = self._items.pop(0)  # a handful at most: reading pauses when the app falls behind
        if not self._items:
            self._items = None
        return item

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items) if self._items else 0


class Flag:
    """asyncio.Event's set / clear / is_set / wait, with no waiter list until someone waits."""

    __slots__ = ("_set", "_waiters")

    def __init__(self, value: bool = False):
        self._set = value
        self._waiters: list[asyncio.Future] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(True)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            return await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queue = ReceiveQueue()
        self.writable = Flag(True)

    def send_text_now(self, text: str) -> bool:
        """Write one text frame now, as `send({"type": "websocket.send", "text": text})` would;
        False, having written nothing, if that would have to wait (the transport's flow control)
        or is not a plain frame write (before accept, after a close): then `send` it instead."""
        if (not self.handshake_complete or self.close_sent or self.initial_response is not None
                or not self.writable.is_set() or self.transport.is_closing()):
            return False
        try:
            self.conn.send_text(text.encode())
        except InvalidState:  # the peer's close came first: `send` says so (ClientDisconnected)
            return False
        self.transport.write(b"".join(self.conn.data_to_send()))
        return True

    async def send(self, message) -> None:
        await super().send(message)
        if self.handshake_complete and self.request is not None:
            # Read only while the handshake is answered (uvicorn's send, before accept). The
            # request itself lives on in websockets' parser (a local of its generator) for as
            # long as the socket: its headers, a dozen lists and tuples, are emptied instead.
            self.request.headers.clear()
            self.request = self.response = None

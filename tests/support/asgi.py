"""Drive Parley's ASGI application in this event loop: no server process, no network.

`ASGIHarness(app)` runs the app's lifespan (which starts this process's broker), opens
WebSocket connections whose receive/send are in-memory queues, and makes HTTP requests.
Sockets authenticate as a browser does: a real Django session (Client.force_login) whose
cookie goes in the handshake headers. Every wait is bounded (TIMEOUT seconds).

The database work runs in other threads (asgiref's sync thread, the send batcher's writer),
so the tests need `@pytest.mark.django_db(transaction=True)`; `close()` closes the
connections those threads opened.
"""

import asyncio
import itertools
import time

import orjson
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import Client

from tests.support.schema_check import check_frame

TIMEOUT = 5.0
ORIGIN = "http://localhost"
_ids = itertools.count(1)


class Refused(Exception):
    """The handshake was refused with a close code."""

    def __init__(self, code: int):
        super().__init__(f"refused with close code {code}")
        self.code = code


class Closed(Exception):
    """The server closed an open socket."""

    def __init__(self, code: int, reason: str = ""):
        super().__init__(f"closed with code {code} ({reason})")
        self.code, self.reason = code, reason


async def until(predicate, timeout: float = TIMEOUT, what: str = "the condition") -> None:
    """Wait, bounded by time, until predicate() is true; yield to the loop in between."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.005)


def session_cookie(user) -> str:
    """Log `user` in with a real session; return the Cookie header a browser would send."""
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


class WS:
    """One in-memory WebSocket connection to the app; frames come out exactly as written."""

    def __init__(self, app, headers: list[tuple[bytes, bytes]], path: str = "/ws/", subprotocols: list[str] = ()):
        self._to_app: asyncio.Queue = asyncio.Queue()
        self._from_app: asyncio.Queue = asyncio.Queue()
        scope = {
            "type": "websocket", "asgi": {"version": "3.0"}, "http_version": "1.1", "scheme": "ws",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
            "subprotocols": list(subprotocols),
        }
        self.task = asyncio.get_running_loop().create_task(app(scope, self._to_app.get, self._from_app.put))
        self.ready: dict | None = None
        self.subprotocol: str | None = None  # the one the server picked in its accept
        self.backlog: list[dict] = []  # frames read while looking for another, in order

    async def connect(self) -> "WS":
        await self._to_app.put({"type": "websocket.connect"})
        first = await asyncio.wait_for(self._from_app.get(), TIMEOUT)
        if first["type"] == "websocket.close":
            raise Refused(first.get("code", 1000))
        assert first["type"] == "websocket.accept", first
        self.subprotocol = first.get("subprotocol")
        self.ready = await self.recv()
        assert self.ready["type"] == "ready", self.ready
        return self

    async def send(self, frame) -> None:
        """Send a frame: a dict (as JSON text), a str (text) or bytes (binary)."""
        if isinstance(frame, dict):
            await self._to_app.put({"type": "websocket.receive", "text": orjson.dumps(frame).decode()})
        elif isinstance(frame, bytes):
            await self._to_app.put({"type": "websocket.receive", "bytes": frame})
        else:
            await self._to_app.put({"type": "websocket.receive", "text": frame})

    def send_nowait(self, frame: dict) -> None:
        """Queue a frame without yielding, so several sockets' frames land in one loop turn."""
        self._to_app.put_nowait({"type": "websocket.receive", "text": orjson.dumps(frame).decode()})

    def taken(self) -> bool:
        """Whether the endpoint has taken everything sent so far."""
        return self._to_app.empty()

    async def recv(self, timeout: float = TIMEOUT) -> dict:
        """The next frame written to this socket (the backlog first); Closed if it closed."""
        if self.backlog:
            return self.backlog.pop(0)
        message = await asyncio.wait_for(self._from_app.get(), timeout)
        if message["type"] == "websocket.close":
            raise Closed(message.get("code", 1000), message.get("reason", ""))
        assert message["type"] == "websocket.send", message
        # Every frame read matches its schema (tests/support/schema_check.py), as with the
        # subprocess servers' clients.
        return check_frame(orjson.loads(message["text"] if message.get("text") is not None else message["bytes"]))

    async def until(self, predicate, timeout: float = TIMEOUT) -> list[dict]:
        """Read frames up to the first one matching predicate; return them all, in order."""
        deadline = time.monotonic() + timeout
        frames = []
        while True:
            frame = await self.recv(max(0.0, deadline - time.monotonic()))
            frames.append(frame)
            if predicate(frame):
                return frames

    async def request(self, frame: dict, timeout: float = TIMEOUT) -> dict:
        """Send a frame with a fresh id; return its reply, keeping what came before in the backlog."""
        ref = f"r{next(_ids)}"
        await self.send({**frame, "id": ref})
        frames = await self.until(lambda fr: fr.get("id") == ref, timeout)
        self.backlog.extend(frames[:-1])
        return frames[-1]

    async def event(self, predicate=lambda fr: True, timeout: float = TIMEOUT) -> dict:
        """Take the first pushed event frame matching predicate; keep the others."""
        for i, frame in enumerate(self.backlog):
            if frame.get("type") == "event" and predicate(frame):
                return self.backlog.pop(i)
        kept = list(self.backlog)
        self.backlog.clear()
        try:
            frames = await self.until(lambda fr: fr.get("type") == "event" and predicate(fr), timeout)
        finally:
            self.backlog[:0] = kept
        self.backlog.extend(frames[:-1])
        return frames[-1]

    async def flush(self) -> list[dict]:
        """Everything written to this socket before the pong of a fresh ping (the backlog first)."""
        ref = f"p{next(_ids)}"
        await self.send({"type": "ping", "id": ref})
        kept, self.backlog = self.backlog, []
        frames = await self.until(lambda fr: fr.get("id") == ref)
        return kept + frames[:-1]

    async def close(self) -> None:
        if not self.task.done():
            await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
            try:
                await asyncio.wait_for(self.task, TIMEOUT)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self.task.cancel()


class ASGIHarness:
    """Run an ASGI app's lifespan and connections in the current event loop."""

    def __init__(self, app=None):
        if app is None:
            from django.core.asgi import get_asgi_application

            from parley.realtime.asgi import parley_asgi

            app = parley_asgi(get_asgi_application())
        self.app = app
        self.sockets: list[WS] = []
        self._lifespan_in: asyncio.Queue | None = None
        self._lifespan_out: asyncio.Queue | None = None
        self._lifespan: asyncio.Task | None = None

    async def __aenter__(self) -> "ASGIHarness":
        self._lifespan_in, self._lifespan_out = asyncio.Queue(), asyncio.Queue()
        self._lifespan = asyncio.get_running_loop().create_task(
            self.app({"type": "lifespan", "asgi": {"version": "3.0"}}, self._lifespan_in.get, self._lifespan_out.put)
        )
        await self._lifespan_in.put({"type": "lifespan.startup"})
        started = await asyncio.wait_for(self._lifespan_out.get(), TIMEOUT)
        assert started["type"] == "lifespan.startup.complete", started
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        for ws in self.sockets:
            await ws.close()
        if self._lifespan is not None and not self._lifespan.done():
            await self._lifespan_in.put({"type": "lifespan.shutdown"})
            await asyncio.wait_for(self._lifespan, TIMEOUT)
        # asgiref's sync thread opened database connections; close them with the test.
        await sync_to_async(connections.close_all)()

    async def login(self, user) -> str:
        return await sync_to_async(session_cookie)(user)

    async def ws(self, user=None, *, cookie: str | None = None, origin: str | None = ORIGIN,
                 headers: list[tuple[bytes, bytes]] = (), path: str = "/ws/", subprotocols: list[str] = ()) -> WS:
        """Open a socket as `user` (or with `cookie`); raise Refused if the handshake fails."""
        if user is not None and cookie is None:
            cookie = await self.login(user)
        sent = [(b"host", b"localhost"), *headers]
        if origin is not None:
            sent.append((b"origin", origin.encode()))
        if cookie:
            sent.append((b"cookie", cookie.encode()))
        ws = WS(self.app, sent, path, subprotocols)
        self.sockets.append(ws)
        return await ws.connect()

    async def http(self, method: str, path: str, *, query: str = "", body: bytes = b"", cookie: str | None = None,
                   headers: list[tuple[bytes, bytes]] = (), timeout: float = TIMEOUT) -> tuple[int, dict | bytes]:
        """Make one HTTP request; return (status, JSON body or raw bytes)."""
        sent = [(b"host", b"localhost"), *headers]
        if cookie:
            sent.append((b"cookie", cookie.encode()))
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
            "headers": sent, "client": ("127.0.0.1", 50001), "server": ("127.0.0.1", 80),
        }
        request_sent, gone = False, asyncio.Event()
        out: list[dict] = []

        async def receive():
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()  # Django listens for the client going away while the view runs
            return {"type": "http.disconnect"}

        async def send(message):
            out.append(message)

        try:
            await asyncio.wait_for(self.app(scope, receive, send), timeout)
        finally:
            gone.set()
        start = next(m for m in out if m["type"] == "http.response.start")
        content = b"".join(m.get("body", b"") for m in out if m["type"] == "http.response.body")
        is_json = any(k.lower() == b"content-type" and v.startswith(b"application/json") for k, v in start["headers"])
        return start["status"], orjson.loads(content) if is_json and content else content


async def close_batcher_connections(batchers: dict) -> None:
    """Close the database connections of the send batchers' writer threads and stop them."""
    loop = asyncio.get_running_loop()
    for batcher in batchers.values():
        executor = batcher._executor
        if executor is not None:
            for _ in range(batcher.writers):
                await loop.run_in_executor(executor, connections.close_all)
            executor.shutdown(wait=True)


def run(coro, timeout: float = 60):
    """Run a test's coroutine in a fresh event loop, bounded in time."""
    return asyncio.run(asyncio.wait_for(coro, timeout))

"""The WebSocket endpoint (/ws/): a plain ASGI app beside Django (GUIDE.md §1).

It authenticates from the session, keeps this process's hub up to date and hands each
client frame to the dispatcher (the same one the HTTP fallback uses). Everything it writes
to a socket goes out in order: at once when nothing waits before it, else through the
socket's queue.
"""

import asyncio
import logging
from collections import deque
from types import SimpleNamespace

from asgiref.sync import sync_to_async
from django.db import DatabaseError
from django.http.cookie import parse_cookie
from django.utils import translation

from parley.conf import settings
from parley.stream.append import encode
from parley.stream.hub import hub
from parley.stream.presence import tracker
from parley.stream.read import stream_cursor_for

from .auth import accepted_subprotocol, handshake_user, header, origin_allowed
from .dispatch import drop_broken_connection, first_line, run_frame

logger = logging.getLogger("parley.ws")

MAX_QUEUE = 2000  # frames; a client this far behind is closed and will resync on reconnect
MAX_ACKED = 64  # event seqs written inside replies whose push has not come yet

class WSConnection:
    """One open socket: everything written to it goes out in order.

    A frame is written at once when nothing waits before it and the protocol can take it
    (`lean_ws.send_text_now`); otherwise it joins a queue that a writer task drains. The queue
    and the task exist only while frames wait (the transport's flow control held writes back),
    so an idle socket costs neither (docs/benchmarks.md, scenario c).

    A reply may carry an event (the sender's own message.created rides on its ack). While a
    frame is being handled, pushed events wait (`hold`); the reply then goes out in seq
    order among them, and the push of the event it carried is dropped, now or when it comes
    later (through Redis it comes after the ack). So the socket writes each event once.
    """

    __slots__ = ("user", "user_id", "session_key", "language", "_send", "_protocol", "_queue", "_writing", "closed",
                 "_close", "_held", "_acked")

    def __init__(self, user, session_key: str, send, language: str | None = None):
        self.user = user
        self.user_id = user.pk
        self.session_key = session_key
        self.language = language  # None: the default language, so frames skip the switch
        self._send = send
        # parley serve's protocol (lean_ws), whose send_text_now writes a frame at once when
        # nothing holds it back: no task per frame. The protocol, not its bound method, is kept
        # (it lives anyway; a bound method would be 64 bytes more per socket). Under any other
        # server every frame goes through the queue.
        protocol = getattr(send, "__self__", None)
        self._protocol = protocol if hasattr(protocol, "send_text_now") else None
        self._queue: deque[str] | None = None  # made when there is something to write: an empty deque is 760 bytes
        self._writing = False
        self.closed = False
        self._close: tuple[int, str] | None = None
        self._held: list[tuple[int, str]] | None = None
        self._acked: deque[int] | None = None

    def push(self, frame: str, seq: int = 0) -> None:
        """Queue a pushed frame (seq > 0 for an event). Runs on the event loop."""
        if seq:
            if self._held is not None:
                self._held.append((seq, frame))
                return
            if self._acked and seq in self._acked:
                self._acked.remove(seq)
                return
        self._enqueue(frame)

    def hold(self) -> None:
        """Hold pushed events until `reply` (a frame is being handled)."""
        self._held = []

    def reply(self, frame: str, seq: int = 0) -> None:
        """Write the reply to the frame being handled; `seq` is the event it carries, if any."""
        held, self._held = self._held or [], None
        for s, f in held:
            if s < seq:
                self._enqueue(f)
        self._enqueue(frame)
        carried_was_pushed = False
        for s, f in held:
            if s == seq:
                carried_was_pushed = True
            elif s > seq:
                self._enqueue(f)
        if seq and not carried_was_pushed:
            if self._acked is None:
                self._acked = deque(maxlen=MAX_ACKED)
            self._acked.append(seq)

    def _enqueue(self, frame: str) -> None:
        if self.closed or self._close:
            return
        if self._queue is None:
            if not self._writing and self._protocol is not None and self._protocol.send_text_now(frame):
                return  # written: nothing was queued before it, so the order holds
            self._queue = deque()
        elif len(self._queue) >= MAX_QUEUE:
            self.close_soon(4008, "too far behind; reconnect and sync")
            return
        self._queue.append(frame)
        self._start_writing()

    def close_soon(self, code: int, reason: str) -> None:
        if not self._close:
            self._close = (code, reason)
            self._start_writing()

    def _start_writing(self) -> None:
        if not self._writing and not self.closed:
            self._writing = True
            asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        try:
            while self._queue and not self.closed:
                await self._send({"type": "websocket.send", "text": self._queue.popleft()})
            self._queue = None
            if self._close and not self.closed:
                await self._send({"type": "websocket.close", "code": self._close[0], "reason": self._close[1]})
                self.closed = True
        except Exception:  # the peer went away mid-write; the reader sees the disconnect
            self.closed = True
        finally:
            # Nothing awaits between the last check of the queue and here, so a frame
            # pushed meanwhile cannot be stranded.
            self._writing = False


def handshake_language(scope) -> str | None:
    """Return the language the handshake asks for (cookie, then Accept-Language), None if the default."""
    request = SimpleNamespace(
        COOKIES=parse_cookie(header(scope, b"cookie") or ""),
        META={"HTTP_ACCEPT_LANGUAGE": header(scope, b"accept-language") or ""},
    )
    language = translation.get_language_from_request(request)
    return None if language == settings.LANGUAGE_CODE else language


def _connect(scope):
    user, session_key = handshake_user(scope)
    if user is None:
        return None, None, 0
    return user, session_key, stream_cursor_for(user=user)


async def ws_endpoint(scope, receive, send) -> None:
    event = await receive()
    if event["type"] != "websocket.connect":
        return
    conn, cursor = await _open(scope, send)
    if conn is None:
        return
    hub.add(conn)
    tracker.socket_opened(conn.user_id)
    conn.push(encode({"type": "ready", "user_id": conn.user_id, "cursor": cursor}))
    try:
        while not conn.closed:
            event = await receive()
            if event["type"] == "websocket.disconnect":
                break
            if event["type"] == "websocket.receive":
                await _handle(conn, event.get("text") if event.get("text") is not None else event.get("bytes"))
    finally:
        conn.closed = True
        hub.remove(conn)
        tracker.socket_closed(conn.user_id)


async def _open(scope, send) -> tuple["WSConnection | None", int]:
    """The handshake's checks, in order; accept and return (connection, cursor), or refuse
    with the close code docs/protocol.md gives and return (None, 0)."""
    if not origin_allowed(scope):
        await send({"type": "websocket.close", "code": 4403})
        return None, 0
    try:
        user, session_key, cursor = await sync_to_async(_connect)(scope)
    except DatabaseError as exc:
        # Accept, then close with 1013 ("try again later"): refused before accept, the client
        # would see HTTP 403, which it cannot tell from "logged out" (docs/protocol.md).
        logger.warning("handshake refused, the database is unavailable: %s: %s", exc.__class__.__name__, first_line(exc))
        await send({"type": "websocket.accept", "subprotocol": accepted_subprotocol(scope)})
        await send({"type": "websocket.close", "code": 1013, "reason": "server unavailable; retry"})
        await drop_broken_connection()
        return None, 0
    if user is None:
        await send({"type": "websocket.close", "code": 4401})
        return None, 0
    await send({"type": "websocket.accept", "subprotocol": accepted_subprotocol(scope)})
    if hub.user_connection_count(user.pk) >= settings.PARLEY_WS_MAX_PER_USER:
        # The new socket is the one refused: closing an older one would let tabs past the
        # cap take turns kicking each other out. After accept, so it is not an HTTP 403.
        await send({"type": "websocket.close", "code": 4429, "reason": "too many open sockets for this user"})
        return None, 0
    return WSConnection(user, session_key, send, handshake_language(scope)), cursor


async def _handle(conn: WSConnection, raw) -> None:
    if conn.language is None:
        await _handle_frame(conn, raw)
        return
    # Error texts follow the handshake's language: those built here and in the sync handlers
    # directly (the context is copied into sync_to_async's thread), and those built on the
    # group-commit writer thread because their messages are lazy, rendered in error_frame().
    with translation.override(conn.language):
        await _handle_frame(conn, raw)


async def _handle_frame(conn: WSConnection, raw) -> None:
    conn.hold()
    reply, _error = await run_frame(conn.user, raw)
    event = reply.get("event")
    conn.reply(encode(reply), event["seq"] if event else 0)

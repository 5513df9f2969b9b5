"""The WebSocket endpoint (/ws/): a plain ASGI app beside Django (GUIDE.md §1).

It authenticates from the session, keeps this process's hub up to date and turns each
client frame into one call of a sync handler (access + service + serialize) run through
sync_to_async. Everything it writes goes through one per-connection queue, in order.
"""

import asyncio
import logging
from collections import deque
from types import SimpleNamespace

import orjson
from asgiref.sync import sync_to_async
from parley.conf import settings
from django.db import DatabaseError, close_old_connections
from django.http.cookie import parse_cookie
from django.utils import translation
from django.utils.translation import gettext as _

from parley.core.errors import AppError, Unavailable

from . import handlers
from .auth import header, origin_allowed, session_user
from .hub import hub
from .stream import encode

logger = logging.getLogger("parley.ws")

MAX_QUEUE = 2000  # frames; a client this far behind is closed and will resync on reconnect


class WSConnection:
    """One open socket: everything written to it goes through one queue, in order.

    The writer task exists only while there is something to write, so an idle socket
    costs no task (docs/benchmarks.md, scenario c).
    """

    __slots__ = ("user", "user_id", "session_key", "language", "_send", "_queue", "_writing", "closed", "_close")

    def __init__(self, user, session_key: str, send, language: str | None = None):
        self.user = user
        self.user_id = user.pk
        self.session_key = session_key
        self.language = language  # None: the default language, so frames skip the switch
        self._send = send
        self._queue: deque[str] = deque()
        self._writing = False
        self.closed = False
        self._close: tuple[int, str] | None = None

    def push(self, frame: str) -> None:
        """Queue a frame. Runs on the event loop (the hub and the handlers call it there)."""
        if self.closed or self._close:
            return
        if len(self._queue) >= MAX_QUEUE:
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
            if self._close and not self.closed:
                await self._send({"type": "websocket.close", "code": self._close[0], "reason": self._close[1]})
                self.closed = True
        except Exception:  # the peer went away mid-write; the reader sees the disconnect
            self.closed = True
        finally:
            # Nothing awaits between the last check of the queue and here, so a frame
            # pushed meanwhile cannot be stranded.
            self._writing = False


def error_frame(exc: AppError, ref=None) -> str:
    frame = {"type": "error", **exc.as_dict()["error"]}
    if ref is not None:
        frame["id"] = ref
    return encode(frame)


def handshake_language(scope) -> str | None:
    """Return the language the handshake asks for (cookie, then Accept-Language), None if the default."""
    request = SimpleNamespace(
        COOKIES=parse_cookie(header(scope, b"cookie") or ""),
        META={"HTTP_ACCEPT_LANGUAGE": header(scope, b"accept-language") or ""},
    )
    language = translation.get_language_from_request(request)
    return None if language == settings.LANGUAGE_CODE else language


def _connect(scope):
    user, session_key = session_user(scope)
    if user is None:
        return None, None, 0
    return user, session_key, handlers.cursor(user)


async def ws_endpoint(scope, receive, send) -> None:
    event = await receive()
    if event["type"] != "websocket.connect":
        return
    if not origin_allowed(scope):
        await send({"type": "websocket.close", "code": 4403})
        return
    try:
        user, session_key, cursor = await sync_to_async(_connect)(scope)
    except DatabaseError:
        await send({"type": "websocket.close", "code": 1013})
        await _drop_broken_connection()
        return
    if user is None:
        await send({"type": "websocket.close", "code": 4401})
        return
    await send({"type": "websocket.accept"})
    conn = WSConnection(user, session_key, send, handshake_language(scope))
    hub.add(conn)
    conn.push(encode({"type": "ready", "user_id": user.pk, "cursor": cursor}))
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


async def _drop_broken_connection() -> None:
    """Close the sockets' database connection after an error, so the next frame reconnects.

    Outside a request nothing else does (Django closes connections at request end), and a
    connection broken by a database restart would otherwise fail every frame after it.
    """
    try:
        await sync_to_async(close_old_connections)()
    except DatabaseError:
        pass


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
    if raw is None or len(raw) > settings.PARLEY_WS_MAX_FRAME:
        conn.push(error_frame(AppError(_("Frames are limited to %(limit)d bytes.") % {"limit": settings.PARLEY_WS_MAX_FRAME}, code="frame_too_large")))
        return
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError:
        conn.push(error_frame(AppError(_("The frame is not valid JSON."), code="bad_json")))
        return
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        conn.push(error_frame(AppError(_('A frame is a JSON object with a "type".'), code="bad_frame")))
        return
    ref = frame.get("id")
    handler = handlers.HANDLERS.get(frame["type"])
    if handler is None:
        conn.push(error_frame(AppError(_("Unknown frame type %(type)r.") % {"type": frame["type"]}, code="unknown_type", known=sorted(handlers.HANDLERS)), ref))
        return
    try:
        if getattr(handler, "is_async", False):
            reply = await handler(conn.user, frame, conn)
        else:
            reply = await sync_to_async(handler)(conn.user, frame)
    except AppError as exc:
        conn.push(error_frame(exc, ref))
        return
    except DatabaseError:
        logger.warning("database error while handling a %s frame", frame["type"], exc_info=True)
        conn.push(error_frame(Unavailable(), ref))
        await _drop_broken_connection()
        return
    except Exception:
        logger.exception("unexpected error while handling a %s frame", frame["type"])
        conn.push(error_frame(AppError(_("Something went wrong on the server."), code="server_error"), ref))
        return
    if reply is not None:
        if ref is not None:
            reply["id"] = ref
        conn.push(encode(reply))

"""One dispatcher for every frame, over the WebSocket and its HTTP fallback.

`run_frame(user, raw)` parses a frame, finds its declaration in the registry
(parley.core.frames), validates it, runs its handler (batched ones through the group-commit
`Batcher`), and returns the reply frame, or the error frame with the AppError behind it.
"""

import logging

import orjson
from asgiref.sync import sync_to_async
from django.db import DatabaseError, close_old_connections
from django.utils.translation import gettext as _

from parley.conf import settings
from parley.core.errors import AppError, Unavailable
from parley.core.frames import Frame, frames
from parley.core.ratelimit import rate_limit_many

from .batcher import Batcher

logger = logging.getLogger("parley.frames")

_batchers: dict[str, Batcher] = {}


def batcher_for(spec: Frame) -> Batcher:
    batcher = _batchers.get(spec.type)
    if batcher is None:
        batcher = _batchers[spec.type] = Batcher(spec.handler, name=spec.type)
    return batcher


def parse_frame(raw) -> dict:
    """Return the frame as a dict, or raise the AppError that says what is wrong with it."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")  # the limit is in bytes, as docs/protocol.md says
    if raw is None or len(raw) > settings.PARLEY_WS_MAX_FRAME:
        raise AppError(_("Frames are limited to %(limit)d bytes.") % {"limit": settings.PARLEY_WS_MAX_FRAME}, code="frame_too_large")
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise AppError(_("The frame is not valid JSON."), code="bad_json") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise AppError(_('A frame is a JSON object with a "type".'), code="bad_frame")
    return frame


async def dispatch(user, frame: dict) -> dict:
    """Run one parsed frame for `user`; return its reply or raise AppError."""
    spec = frames.get(frame["type"])
    if spec is None:
        raise AppError(_("Unknown frame type %(type)r.") % {"type": frame["type"]}, code="unknown_type", known=frames.known())
    data = spec.parse(frame)
    if spec.batched:
        reply = await batcher_for(spec).submit((user, data))
    elif spec.is_async:
        if spec.rate:
            await sync_to_async(check_rate)(spec, user)
        reply = await spec.handler(user, data)
    else:
        reply = await sync_to_async(_limited_call)(spec, user, data)
    if isinstance(reply, AppError):  # a batched handler answers each call with a reply or an error
        raise reply
    return reply


def check_rate(spec: Frame, user) -> None:
    """Count one `spec` frame for `user`; raise RateLimited past its setting's rate. Off the event loop."""
    (refused,) = rate_limit_many([f"frame:{spec.type}:{user.pk}"], rate=getattr(settings, spec.rate))
    if refused is not None:
        raise refused


def _limited_call(spec: Frame, user, data):
    """Run a sync handler after its rate check, in one hop off the event loop."""
    if spec.rate:
        check_rate(spec, user)
    return spec.handler(user, data)


def error_frame(exc: AppError, ref=None) -> dict:
    frame = {"type": "error", **exc.as_dict()["error"]}
    if ref is not None:
        frame["id"] = ref
    return frame


async def run_frame(user, raw) -> tuple[dict, AppError | None]:
    """Answer one raw frame: (reply, None), or (error frame, the AppError). Never raises."""
    ref = frame = None
    try:
        frame = parse_frame(raw)
        ref = frame.get("id")
        reply = await dispatch(user, frame)
    except AppError as exc:
        return error_frame(exc, ref), exc
    except DatabaseError as exc:
        # One line per failed frame: during an outage every frame fails the same way, and a
        # traceback each would bury the logs.
        logger.warning("database unavailable while handling a %s frame: %s: %s",
                       repr(frame["type"])[:40] if frame else "?", exc.__class__.__name__, first_line(exc))
        await drop_broken_connection()
        return error_frame(Unavailable(), ref), Unavailable()
    except Exception:
        logger.exception("unexpected error while handling a frame")
        exc = AppError(_("Something went wrong on the server."), code="server_error")
        exc.status = 500
        return error_frame(exc, ref), exc
    if ref is not None:
        reply["id"] = ref
    return reply, None


def first_line(exc: BaseException) -> str:
    """Return the first line of an exception's text, for a one-line log."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


async def drop_broken_connection() -> None:
    """Close this thread's database connection after an error, so the next frame reconnects.

    Outside a request nothing else does (Django closes connections at request end), and a
    connection broken by a database restart would otherwise fail every frame after it.
    """
    try:
        await sync_to_async(close_old_connections)()
    except DatabaseError:
        pass

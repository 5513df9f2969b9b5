"""Typing and presence: what a viewer is told about the other person of a conversation.

`presence_for(viewer=, subject_id=)` is the one place that decides what a viewer gets about
someone's presence (privacy settings plug in here). Typing is relayed with the stream's
live-only `signal()`, never stored.
"""

import asyncio
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from asgiref.sync import sync_to_async
from django.utils import timezone

from parley.conversations.privacy import presence_visible_to
from parley.stream.presence import iso, tracker
from parley.stream.signals import signal

from .models import LastSeen

logger = logging.getLogger("parley.presence")

TYPING_SECONDS = 6  # a client shows "typing…" this long after the last signal (docs/protocol.md)
LAST_SEEN_EVERY = 60  # seconds: a user's last-seen row is written at most this often per process

_lock = threading.Lock()
_typing: dict[int, dict[int, tuple[int, float]]] = {}  # typist -> conversation id -> (other id, when)
_written: dict[int, float] = {}  # user id -> when their last-seen row was last written here
_tasks: set[asyncio.Task] = set()


# --- typing -------------------------------------------------------------------------------


def typing_signal(*, user, conversation, active: bool) -> None:
    """Tell the other participant that `user` is typing in `conversation` (or stopped).

    Rate-limited per user (PARLEY_SIGNAL_RATE: RateLimited past it).
    """
    other_id = conversation.other_user_id(user.pk)
    signal([other_id], "typing", {"conversation_id": conversation.pk, "user_id": user.pk, "active": active}, sender_id=user.pk)
    with _lock:
        mine = _typing.setdefault(user.pk, {})
        if active:
            mine[conversation.pk] = (other_id, time.monotonic())
        else:
            mine.pop(conversation.pk, None)
            if not mine:
                _typing.pop(user.pk, None)


def typing_socket_closed(user_id: int) -> None:
    """One of the user's sockets closed here: whatever they were typing stops (on the event loop).

    The frames do not say which socket signalled, so any of the user's sockets here closing
    ends their recent typing; if another tab is still typing, its next signal (every 3 s)
    shows it again.
    """
    with _lock:
        recent = _typing.pop(user_id, None)
    if not recent:
        return
    now = time.monotonic()
    for conversation_id, (other_id, when) in recent.items():
        if now - when < TYPING_SECONDS:
            signal([other_id], "typing", {"conversation_id": conversation_id, "user_id": user_id, "active": False})


# --- presence -------------------------------------------------------------------------------


def presence_for(*, viewer, subject_id: int) -> dict:
    """What `viewer` is told of `subject_id`'s presence: online, else when last seen.

    The caller has checked that they share a conversation. Blocking (Redis, the database):
    call it off the event loop. Someone who hides their presence from the viewer (privacy:
    "Show when I'm online" off, by default or in a conversation they share) looks like
    someone never seen: offline, `last_seen_at` null.
    """
    if viewer.pk not in presence_visible_to(subject_id, [viewer.pk]):
        return {"user_id": subject_id, "online": False, "last_seen_at": None}
    if tracker.is_online(subject_id):
        return {"user_id": subject_id, "online": True, "last_seen_at": None}
    seen = LastSeen.objects.filter(user_id=subject_id).values_list("at", flat=True).first()
    return {"user_id": subject_id, "online": False, "last_seen_at": iso(seen.timestamp()) if seen else None}


def presence_changed(user_id: int, online: bool, last_seen: float | None) -> None:
    """A change this process decided (on the event loop): store when an offline user was last seen."""
    if online or last_seen is None:
        return
    now = time.monotonic()
    if now - _written.get(user_id, -LAST_SEEN_EVERY) < LAST_SEEN_EVERY:
        return
    _written[user_id] = now
    task = asyncio.get_running_loop().create_task(_store_last_seen(user_id, last_seen))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _store_last_seen(user_id: int, ts: float) -> None:
    try:
        await sync_to_async(_write_last_seen)(user_id, datetime.fromtimestamp(ts, UTC))
    except Exception as exc:  # the database is down, or the user was deleted: presence is best-effort
        logger.warning("could not store when user %s was last seen: %s: %s", user_id, exc.__class__.__name__, exc)


def _write_last_seen(user_id: int, at: datetime) -> None:
    LastSeen.objects.update_or_create(user_id=user_id, defaults={"at": min(at, timezone.now() + timedelta(seconds=1))})

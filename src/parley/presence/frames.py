"""The presence app's frames (docs/protocol.md): `typing` and `presence`.

Thin adapters: the schema parses, the access check, one service call.
"""

import time
from typing import Literal

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils.translation import gettext_lazy as _
from pydantic import Field, StrictBool

from parley.conversations.access import ConversationCache, conversation_for, may_see
from parley.conversations.policy import refused_pairs
from parley.conversations.selectors import shares_conversation
from parley.core.errors import NotFound
from parley.core.frames import DatabaseId, FrameIn, frames
from parley.stream.presence import tracker

from . import services
from .schemas import PresenceOut, TypingAck


class TypingIn(FrameIn):
    type: Literal["typing"]
    conversation_id: DatabaseId
    active: StrictBool = Field(True, description="false: stopped typing (the box was emptied).")


class PresenceIn(FrameIn):
    type: Literal["presence"]
    user_id: DatabaseId


# Conversations typed in recently, for the access check: who takes part never changes, so a
# cached conversation answers it as a fresh one would. Used on the event loop only.
_conversations = ConversationCache()


async def _conversation_for(user, conversation_id: int):
    conversation = _conversations.get_many([conversation_id]).get(conversation_id)
    if conversation is None:
        conversation = await sync_to_async(conversation_for)(user, conversation_id)
        _conversations.put_many({conversation.pk: conversation})
    elif not may_see(user, conversation):
        raise NotFound(_("Conversation not found."))  # as for a missing one
    return conversation


# Whether a typist may message the other person (send guards: a block), per pair, for
# MAY_TYPE_TTL seconds: a block silences the blocked person's typing within that time.
MAY_TYPE_TTL = 30.0
_may_type: dict[tuple[int, int], tuple[bool, float]] = {}


async def _may_message(sender_id: int, recipient_id: int) -> bool:
    key, now = (sender_id, recipient_id), time.monotonic()
    hit = _may_type.get(key)
    if hit is not None and now - hit[1] < MAY_TYPE_TTL:
        return hit[0]
    allowed = not await sync_to_async(refused_pairs)([key])
    if len(_may_type) > 10_000:
        _may_type.clear()
    _may_type[key] = (allowed, now)
    return allowed


def _local_cache() -> bool:
    """Whether the rate limiter's cache lives in this process (LocMem), so a check does no I/O."""
    return isinstance(caches["default"], LocMemCache)


@frames.frame(TypingIn, reply=TypingAck)
async def typing(user, data: TypingIn) -> dict:
    """Async, with its access check cached: one every 3 s from each typist would otherwise keep
    asgiref's one sync thread busy (docs/benchmarks.md, scenario a with --typing). The signal
    (its rate limit, the broker) runs here when the rate limiter's cache is in memory, else on
    a worker thread (a Redis round trip), never the sync thread: it needs no database."""
    conversation = await _conversation_for(user, data.conversation_id)
    if not await _may_message(user.pk, conversation.other_user_id(user.pk)):
        # Someone who may not message the other person (blocked) types into the void: the ack
        # is the same, so the typing frame does not tell them they are blocked.
        return {"type": "ack", "conversation_id": conversation.pk, "active": data.active}
    if _local_cache():  # the rate limit is in this process's memory: no I/O, so no thread hop
        services.typing_signal(user=user, conversation=conversation, active=data.active)
    else:
        await sync_to_async(services.typing_signal, thread_sensitive=False)(user=user, conversation=conversation, active=data.active)
    return {"type": "ack", "conversation_id": conversation.pk, "active": data.active}


def _subject(user, user_id: int) -> int:
    if not shares_conversation(user_id=user.pk, other_id=user_id):
        raise NotFound(_("No such person among your conversations."))
    return user_id


@frames.frame(PresenceIn, reply=PresenceOut, rate="PARLEY_SIGNAL_RATE")
async def presence(user, data: PresenceIn) -> dict:
    """The person's presence now; their changes are pushed to this user's sockets here from now on."""
    subject_id = await sync_to_async(_subject)(user, data.user_id)
    tracker.watch(user.pk, subject_id)  # before reading, so a change in between is pushed
    return {"type": "presence", **await sync_to_async(services.presence_for)(viewer=user, subject_id=subject_id)}

"""The conversation frames of the WebSocket and its HTTP fallback (docs/protocol.md).

Thin adapters: the schema parses, `send` goes through the group-commit batch (access is
checked inside it), `read` checks access and calls one service.
"""

import threading
from typing import Literal
from uuid import UUID

from pydantic import Field, StrictStr

from parley.core.errors import AppError
from parley.core.frames import DatabaseId, DatabaseSeq, FrameIn, frames

from . import services
from .access import ConversationCache, conversation_for, message_for
from .schemas import ArchiveAck, MessageAck, ReadAck, SendAck, UnreadAck
from .selectors import inbox_counts_for, unread_for, unread_total_for
from .serializers import message_dict

_local = threading.local()  # one ConversationCache per writer thread (or the event loop's)


class SendIn(FrameIn):
    type: Literal["send"]
    conversation_id: DatabaseId
    body: StrictStr = Field(description="1 to 5,000 characters after trimming; no control characters but newline and tab.")
    client_msg_id: UUID = Field(description="Chosen by the client once per message; a retry with it returns the original.")
    reply_to_id: DatabaseId | None = Field(None, description="The id of the message this one replies to, in the same conversation.")
    attachment_ids: list[UUID] = Field(default_factory=list, max_length=10, description=(
        "Files uploaded first (POST /api/v1/attachments), at most 10; with some, `body` (the caption) may be empty."))


class ReadIn(FrameIn):
    type: Literal["read"]
    conversation_id: DatabaseId
    seq: DatabaseSeq | None = Field(None, description="Up to this message seq; omitted means the last message.")


class UnreadIn(FrameIn):
    type: Literal["unread"]
    conversation_id: DatabaseId


class EditIn(FrameIn):
    type: Literal["edit"]
    conversation_id: DatabaseId
    message_id: DatabaseId
    body: StrictStr = Field(description="The new text, by the rules of `send`.")
    revision: DatabaseSeq = Field(description="The message's `revision` the user edited (0 before any edit).")


class DeleteIn(FrameIn):
    type: Literal["delete"]
    conversation_id: DatabaseId
    message_id: DatabaseId


@frames.frame(SendIn, batched=True, reply=SendAck)
def send(calls: list[tuple[object, SendIn]]) -> list[dict | AppError]:
    """Send every waiting message in one transaction; the ack carries the sender's own event."""
    cache = getattr(_local, "cache", None) or _cache()
    requests = services.send_batch(
        [services.SendRequest(user, data.conversation_id, data.body, data.client_msg_id, data.reply_to_id,
                             data.attachment_ids) for user, data in calls],
        cache=cache,
    )
    return [req.error if req.error is not None else _ack(req) for req in requests]


def _cache() -> ConversationCache:
    _local.cache = ConversationCache()
    return _local.cache


def _ack(req) -> dict:
    data = req.message_data if req.created and req.message_data else message_dict(req.result)
    ack = {"type": "ack", "client_msg_id": data["client_msg_id"], "created": req.created, "message": data}
    if req.created and req.own_event is not None:
        ack["event"] = req.own_event.as_dict()
    return ack


@frames.frame(ReadIn, reply=ReadAck, rate="PARLEY_READ_RATE")
def read(user, data: ReadIn) -> dict:
    conversation = conversation_for(user, data.conversation_id)
    last_read = services.conversation_mark_read(user=user, conversation=conversation, seq=data.seq)
    return {"type": "ack", "conversation_id": conversation.pk, "last_read_seq": last_read}


@frames.frame(EditIn, reply=MessageAck, rate="PARLEY_SEND_RATE")
def edit(user, data: EditIn) -> dict:
    message = message_for(user, data.conversation_id, data.message_id)
    edited = services.message_edit(user=user, message=message, body=data.body, revision=data.revision)
    return {"type": "ack", "message": message_dict(edited)}


@frames.frame(DeleteIn, reply=MessageAck, rate="PARLEY_SEND_RATE")
def delete(user, data: DeleteIn) -> dict:
    message = message_for(user, data.conversation_id, data.message_id)
    services.message_delete(user=user, message=message)
    return {"type": "ack", "message": message_dict(message)}


@frames.frame(UnreadIn, reply=UnreadAck, rate="PARLEY_READ_RATE")
def unread(user, data: UnreadIn) -> dict:
    conversation = conversation_for(user, data.conversation_id)
    return {"type": "ack", **unread_state(user, conversation)}


def unread_state(user, conversation) -> dict:
    """Mark unread; the user's mark and counts after it (the frame's ack and the API's answer)."""
    mark = services.conversation_mark_unread(user=user, conversation=conversation)
    return {"conversation_id": conversation.pk, "last_read_seq": mark,
            "unread": unread_for(user_id=user.pk, conversation_id=conversation.pk),
            "unread_total": unread_total_for(user=user)}


class ArchiveIn(FrameIn):
    type: Literal["archive"]
    conversation_id: DatabaseId


class UnarchiveIn(FrameIn):
    type: Literal["unarchive"]
    conversation_id: DatabaseId


@frames.frame(ArchiveIn, reply=ArchiveAck, rate="PARLEY_READ_RATE")
def archive(user, data: ArchiveIn) -> dict:
    conversation = conversation_for(user, data.conversation_id)
    services.conversation_archive(user=user, conversation=conversation)
    return {"type": "ack", "conversation_id": conversation.pk, "archived": True, "counts": inbox_counts_for(user=user)}


@frames.frame(UnarchiveIn, reply=ArchiveAck, rate="PARLEY_READ_RATE")
def unarchive(user, data: UnarchiveIn) -> dict:
    conversation = conversation_for(user, data.conversation_id)
    services.conversation_unarchive(user=user, conversation=conversation)
    return {"type": "ack", "conversation_id": conversation.pk, "archived": False, "counts": inbox_counts_for(user=user)}

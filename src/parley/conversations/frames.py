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
from .access import ConversationCache, conversation_for
from .schemas import ReadAck, SendAck
from .serializers import message_dict

_local = threading.local()  # one ConversationCache per writer thread


class SendIn(FrameIn):
    type: Literal["send"]
    conversation_id: DatabaseId
    body: StrictStr = Field(description="1 to 5,000 characters after trimming; no control characters but newline and tab.")
    client_msg_id: UUID = Field(description="Chosen by the client once per message; a retry with it returns the original.")


class ReadIn(FrameIn):
    type: Literal["read"]
    conversation_id: DatabaseId
    seq: DatabaseSeq | None = Field(None, description="Up to this message seq; omitted means the last message.")


@frames.frame(SendIn, batched=True, reply=SendAck)
def send(calls: list[tuple[object, SendIn]]) -> list[dict | AppError]:
    """Send every waiting message in one transaction; the ack carries the sender's own event."""
    cache = getattr(_local, "cache", None) or _cache()
    requests = services.send_batch(
        [services.SendRequest(user, data.conversation_id, data.body, data.client_msg_id) for user, data in calls],
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

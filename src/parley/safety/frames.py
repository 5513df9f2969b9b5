"""The safety frames of the WebSocket and its HTTP fallback (docs/protocol.md)."""

from typing import Literal

from parley.core.frames import DatabaseId, FrameIn, frames

from . import services
from .access import person_for
from .schemas import BlockAck


class BlockIn(FrameIn):
    type: Literal["block"]
    user_id: DatabaseId


class UnblockIn(FrameIn):
    type: Literal["unblock"]
    user_id: DatabaseId


@frames.frame(BlockIn, reply=BlockAck)
def block(user, data: BlockIn) -> dict:
    other = person_for(user, data.user_id)
    services.block_create(blocker=user, blocked=other)
    return {"type": "ack", "user_id": other.pk, "blocked": True}


@frames.frame(UnblockIn, reply=BlockAck)
def unblock(user, data: UnblockIn) -> dict:
    other = person_for(user, data.user_id, or_blocked=True)
    services.block_delete(blocker=user, blocked=other)
    return {"type": "ack", "user_id": other.pk, "blocked": False}

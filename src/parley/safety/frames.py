"""The safety frames of the WebSocket and its HTTP fallback (docs/protocol.md)."""

from typing import Literal

from django.utils.translation import gettext as _
from pydantic import Field, StrictStr

from parley.core.frames import DatabaseId, FrameIn, frames

from . import services
from .access import person_for, report_target_for
from .schemas import BlockAck, ReportAck


class BlockIn(FrameIn):
    type: Literal["block"]
    user_id: DatabaseId


class UnblockIn(FrameIn):
    type: Literal["unblock"]
    user_id: DatabaseId


class ReportIn(FrameIn):
    type: Literal["report"]
    conversation_id: DatabaseId
    message_id: DatabaseId | None = Field(None, description="The other person's message; omitted reports the person.")
    reason: StrictStr = Field(description="scam, harassment, spam, prohibited or other.")
    note: StrictStr = Field("", description="Optional, up to 1,000 characters.")


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


@frames.frame(ReportIn, reply=ReportAck)
def report(user, data: ReportIn) -> dict:
    """The rate (PARLEY_REPORT_RATE) is the service's, shared with POST /api/v1/reports."""
    conversation, message = report_target_for(user, data.conversation_id, data.message_id)
    filed, created = services.report_create(
        reporter=user, conversation=conversation, message=message, reason=data.reason, note=data.note,
    )
    return report_ack(filed, created)


def report_ack(filed, created: bool) -> dict:
    return {"type": "ack", "report_id": filed.pk, "created": created, "message": _("Thanks. Our team will review your report.")}

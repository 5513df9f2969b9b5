"""POST /api/v1/reports: report a message or a person, over parley.safety's one service.

The `report` frame (docs/protocol.md) does the same through the socket or POST /api/v1/frames.
Mounted only with parley.safety installed (api/optional.py).
"""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from parley.core.frames import DatabaseId
from parley.core.schemas import Wire
from parley.safety import services
from parley.safety.access import report_target_for
from parley.safety.frames import report_ack

from .schemas import ERRORS

router = Router(tags=["safety"])


class ReportCreateIn(Schema):
    conversation_id: DatabaseId
    message_id: DatabaseId | None = Field(None, description="The other person's message; omitted reports the person.")
    reason: str = Field(..., description="scam, harassment, spam, prohibited or other.")
    note: str = Field("", description="Optional, up to 1,000 characters.")


class ReportOut(Wire):
    report_id: int
    created: bool = Field(description="False when the same target was already reported and that report is still open.")
    message: str = Field(description="The confirmation to show the reporter, in their language.")


@router.post("", response={200: ReportOut, 201: ReportOut, **ERRORS})
def report_create(request: HttpRequest, payload: ReportCreateIn):
    """Report the other person's message, or the person (no `message_id`). 201 when filed;
    200 with the open report when the same target was reported before. They are not told."""
    conversation, message = report_target_for(request.user, payload.conversation_id, payload.message_id)
    filed, created = services.report_create(
        reporter=request.user, conversation=conversation, message=message, reason=payload.reason, note=payload.note,
    )
    ack = report_ack(filed, created)
    return Status(201 if created else 200, {"report_id": ack["report_id"], "created": created, "message": ack["message"]})

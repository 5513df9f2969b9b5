"""/api/v1/quick-replies: the user's saved replies, as a REST resource over
parley.quickreplies' services (the same ones the settings page uses)."""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from parley.conversations.serializers import iso
from parley.core.schemas import Wire
from parley.quickreplies import services

from .schemas import ERRORS

router = Router(tags=["quick-replies"])


class QuickReplyIn(Schema):
    text: str = Field(..., description="1 to 500 characters after trimming; no control characters but newline and tab.")


class QuickReplyOut(Wire):
    id: int
    text: str
    position: int = Field(description="0 first; the list is in this order.")
    created_at: str = Field(description="ISO 8601, UTC.")


class QuickReplyEnvelope(Wire):
    quick_reply: QuickReplyOut


class QuickReplyListOut(Wire):
    quick_replies: list[QuickReplyOut] = Field(description="In the user's order; three defaults the first time.")


def _reply_dict(reply) -> dict:
    return {"id": reply.pk, "text": reply.text, "position": reply.position, "created_at": iso(reply.created_at)}


@router.get("", response={200: QuickReplyListOut, **ERRORS})
def quick_reply_list(request: HttpRequest):
    """The user's quick replies, in order (at most 20)."""
    return {"quick_replies": [_reply_dict(r) for r in services.quick_replies_for(user=request.user)]}


@router.post("", response={201: QuickReplyEnvelope, **ERRORS})
def quick_reply_create(request: HttpRequest, payload: QuickReplyIn):
    """Add a quick reply at the end: 201; 409 `too_many_quick_replies` past 20."""
    reply = services.quick_reply_create(user=request.user, text=payload.text)
    return Status(201, {"quick_reply": _reply_dict(reply)})


@router.patch("/{int:reply_id}", response={200: QuickReplyEnvelope, **ERRORS})
def quick_reply_edit(request: HttpRequest, reply_id: int, payload: QuickReplyIn):
    """Change a quick reply's text; 404 for someone else's."""
    reply = services.quick_reply_for(request.user, reply_id)
    reply = services.quick_reply_edit(reply=reply, text=payload.text)
    return {"quick_reply": _reply_dict(reply)}


@router.delete("/{int:reply_id}", response={204: None, **ERRORS})
def quick_reply_delete(request: HttpRequest, reply_id: int):
    """Delete a quick reply: 204; 404 for someone else's or a missing one."""
    reply = services.quick_reply_for(request.user, reply_id)
    services.quick_reply_delete(reply=reply)
    return Status(204, None)

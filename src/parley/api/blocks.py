"""/api/v1/blocks: the people the user blocked, as a REST resource over parley.safety's services.

The `block` and `unblock` frames (docs/protocol.md) do the same through one socket or
POST /api/v1/frames; both go through safety.access.person_for and the same services.
"""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from parley.conversations.schemas import UserOut
from parley.conversations.serializers import iso, user_dict
from parley.core.frames import DatabaseId
from parley.core.schemas import Wire
from parley.safety import selectors, services
from parley.safety.access import person_for

from .schemas import ERRORS

router = Router(tags=["blocks"])


class BlockCreateIn(Schema):
    user_id: DatabaseId = Field(..., description="Someone the user shares a conversation with.")


class BlockOut(Wire):
    user: UserOut
    created_at: str = Field(description="When the block was made (ISO 8601, UTC).")


class BlockEnvelope(Wire):
    block: BlockOut


class BlockListOut(Wire):
    blocks: list[BlockOut] = Field(description="Newest first.")


def _block_dict(block) -> dict:
    return {"user": user_dict(block.blocked), "created_at": iso(block.created_at)}


@router.get("", response={200: BlockListOut, **ERRORS})
def block_list(request: HttpRequest):
    """Everyone the user blocked: they cannot message the user or start a conversation."""
    return {"blocks": [_block_dict(b) for b in selectors.blocks_for(user=request.user)]}


@router.post("", response={200: BlockEnvelope, 201: BlockEnvelope, **ERRORS})
def block_create(request: HttpRequest, payload: BlockCreateIn):
    """Block someone: 201 when new, 200 when they were already blocked. They are not told."""
    other = person_for(request.user, payload.user_id)
    created = services.block_create(blocker=request.user, blocked=other)
    block = selectors.block_between(blocker_id=request.user.pk, blocked_id=other.pk)
    return Status(201 if created else 200, {"block": _block_dict(block)})


@router.delete("/{int:user_id}", response={204: None, **ERRORS})
def block_delete(request: HttpRequest, user_id: int):
    """Unblock: 204, also when there was no block left (a retry); 404 for a stranger."""
    other = person_for(request.user, user_id, or_blocked=True)
    services.block_delete(blocker=request.user, blocked=other)
    return Status(204, None)

"""The schemas of the notifications app's frames and events (docs/protocol.md)."""

from typing import Literal

from pydantic import Field

from parley.core.frames import ReplyOut
from parley.stream.schemas import Payload


class VisibilityAck(ReplyOut):
    """The reply to `visibility`."""

    type: Literal["ack"]
    visible: bool


class ConversationMuted(Payload):
    """`conversation.muted`: to the user's own stream only; every tab stops ringing for it."""

    conversation_id: int
    until: str | None = Field(description="When the mute ends (ISO 8601, UTC), or null: until the user unmutes.")


class ConversationUnmuted(Payload):
    """`conversation.unmuted`: to the user's own stream only."""

    conversation_id: int

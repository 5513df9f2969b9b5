"""The schemas of the presence app's frames and signals (docs/protocol.md)."""

from typing import Literal

from pydantic import Field

from parley.core.frames import ReplyOut


class TypingAck(ReplyOut):
    """The reply to `typing`."""

    type: Literal["ack"]
    conversation_id: int
    active: bool


class PresenceOut(ReplyOut):
    """The reply to `presence`: the person's presence now (later changes come as `presence` signals)."""

    type: Literal["presence"]
    user_id: int
    online: bool = Field(description="Whether they have a socket open on any server process.")
    last_seen_at: str | None = Field(description="When they were last online (ISO 8601, UTC); null if never, or while online.")

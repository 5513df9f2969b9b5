"""The schemas of what the safety app sends (docs/protocol.md)."""

from typing import Literal

from pydantic import Field

from parley.core.frames import ReplyOut
from parley.stream.schemas import Payload


class UserBlocked(Payload):
    """`user.blocked`: to the blocker's own stream, so every tab of theirs updates."""

    user_id: int = Field(description="Who was blocked.")


class UserUnblocked(Payload):
    """`user.unblocked`: to the blocker's own stream."""

    user_id: int = Field(description="Who was unblocked.")


class BlockAck(ReplyOut):
    """The reply to `block` and `unblock`."""

    type: Literal["ack"]
    user_id: int
    blocked: bool = Field(description="Whether the person is blocked now.")

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


class AccountWarned(Payload):
    """`account.warned`: to the warned user's own stream, shown in every tab of theirs."""

    message: str = Field(description="The moderator's words, as they wrote them.")


class ReportAck(ReplyOut):
    """The reply to `report`. The reported user is not told."""

    type: Literal["ack"]
    report_id: int
    created: bool = Field(description="False when the same target was already reported and that report is still open.")
    message: str = Field(description="The confirmation to show the reporter, in their language.")

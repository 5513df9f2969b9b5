"""The schemas of what the conversations app sends: its events, frames and API pieces.

They describe the plain dicts that `serializers` and `events` build (docs/protocol.md);
nothing on the send path runs them. The API reuses them for its responses, the test suite
checks every event and frame against them.
"""

from typing import Literal
from uuid import UUID

from pydantic import Field

from parley.core.frames import ReplyOut
from parley.core.schemas import Wire, absent_or
from parley.stream.schemas import Payload, StreamEventOut

ISO = "ISO 8601, UTC, with a Z: 2026-11-28T16:01:37.596775Z."


class UserOut(Wire):
    id: int
    username: str
    name: str = Field(description="The full name, or the username when there is none.")


class ListingCardOut(Wire):
    id: int
    title: str
    price: str | None = Field(description='A decimal as a string ("350.00"), or null.')
    currency: str
    photo_url: str = Field(description="Empty when the listing has no photo.")
    seller_id: int
    status: str
    status_label: str
    url: str


class MessageOut(Wire):
    id: int
    conversation_id: int
    seq: int = Field(description="The per-conversation order, the same for every participant.")
    sender_id: int
    body: str
    client_msg_id: UUID
    created_at: str = Field(description=ISO)


class ConversationSummaryOut(Wire):
    """A conversation as one participant sees it (`role`, `other`)."""

    id: int
    role: Literal["buyer", "seller"]
    listing: ListingCardOut
    other: UserOut
    last_seq: int = Field(description="The seq of the conversation's last message; 0 when it has none.")
    last_activity_at: str | None = Field(description=ISO)


class InboxRowOut(ConversationSummaryOut):
    last_message: MessageOut | None
    unread: int
    last_read_seq: int


class ConversationDetailOut(ConversationSummaryOut):
    last_read_seq: int
    other_read_seq: int


class MessageCreated(Payload):
    """`message.created`: to both participants, each with their own summary and counts."""

    message: MessageOut
    conversation: ConversationSummaryOut
    unread: int = Field(description="This recipient's unread count in the conversation, after the message.")
    unread_total: int = Field(description="This recipient's unread count across conversations, after the message.")


class ConversationRead(Payload):
    """`conversation.read`: to both participants when a read mark moved."""

    conversation_id: int
    user_id: int = Field(description="Who read.")
    seq: int = Field(description="Up to this message seq.")
    unread: int = absent_or("In the reader's own copy: their new unread count in the conversation.")
    unread_total: int = absent_or("In the reader's own copy: their new unread count across conversations.")


class SendAck(ReplyOut):
    """The reply to `send`, after the message is committed."""

    type: Literal["ack"]
    client_msg_id: UUID
    created: bool = Field(description="False when client_msg_id was seen before: `message` is the original.")
    message: MessageOut
    event: StreamEventOut = absent_or("The sender's own message.created event, when `created`.")


class ReadAck(ReplyOut):
    """The reply to `read`."""

    type: Literal["ack"]
    conversation_id: int
    last_read_seq: int

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


class QuoteOut(Wire):
    """The message a reply quotes, as it is now."""

    id: int
    seq: int
    sender_id: int
    body: str = Field(description='The start of its text (at most 140 characters); "" when it was removed.')
    removed: Literal["moderation", "sender"] = absent_or("Why its text is gone, as a message's `removed`.")


class AttachmentOut(Wire):
    """A file sent with a message (parley.attachments): uploaded first, then named by id in `send`."""

    id: UUID
    kind: Literal["image", "pdf", "voice"]
    name: str = Field(description="The file's name, cleaned by the server (no path, no control characters).")
    content_type: str = Field(description="What the server stored: image/jpeg, image/png, image/webp, application/pdf, audio/webm, audio/ogg.")
    size: int = Field(description="Bytes of the stored file (an image after re-encoding).")
    url: str = Field(description="The file itself (participants only; `Content-Disposition` attachment for PDFs).")
    width: int = absent_or("Images: pixels, after the photo's orientation was applied.")
    height: int = absent_or("Images: pixels.")
    thumb_url: str = absent_or("Images: a thumbnail (at most 400 px a side) for the bubble.")
    large_url: str = absent_or("Images: at most 1,600 px a side, for the full-screen viewer.")
    duration_ms: int = absent_or("Voice messages: the length, read from the file.")


class MessageOut(Wire):
    id: int
    conversation_id: int
    seq: int = Field(description="The per-conversation order, the same for every participant.")
    sender_id: int
    body: str = Field(description='The text; "" when the message was removed (see `removed`).')
    client_msg_id: UUID
    created_at: str = Field(description=ISO)
    removed: Literal["moderation", "sender"] = absent_or(
        'Why the text is gone: "moderation" when a moderator hid the message, "sender" when its sender deleted it.'
    )
    revision: int = absent_or("How many times the sender edited it; absent until the first edit. Send it with `edit`.")
    edited_at: str = absent_or("When it was last edited (" + ISO + "); absent if never.")
    reply_to: QuoteOut = absent_or("The message this one replies to (sent with `reply_to_id`); absent when not a reply.")
    attachments: list[AttachmentOut] = absent_or(
        "The files sent with the message (at most 10), in order; absent for none and once the message is removed."
    )
    flags: list[str] = absent_or(
        'Short codes found on send, e.g. ["phone", "off_platform"]: the recipient\'s client shows a '
        "safety tip under the message. Built-in codes: phone, email, iban, card, external_link, off_platform."
    )


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
    archived: bool = Field(description="Archived by this user, with no message since.")


class ConversationDetailOut(ConversationSummaryOut):
    last_read_seq: int
    other_read_seq: int = Field(description="How far the other person has read; 0 while read receipts are off.")
    read_receipts: bool = Field(
        description="Whether read receipts flow in this conversation: false when either person turned them off."
    )


class InboxMoves(Wire):
    """How this user's inbox filter counts (InboxCounts) move with the event: +1 or -1 for each
    filter that moves; one that does not is left out. A tab adds them to the counts it has,
    skipping events at or before the stream seq its counts were read at (`counts_cursor`)."""

    all: int = absent_or("The move of `all`.")
    unread: int = absent_or("The move of `unread`.")
    buying: int = absent_or("The move of `buying`.")
    selling: int = absent_or("The move of `selling`.")
    archived: int = absent_or("The move of `archived`.")


class MessageCreated(Payload):
    """`message.created`: to both participants, each with their own summary and counts."""

    message: MessageOut
    conversation: ConversationSummaryOut
    unread: int = Field(description="This recipient's unread count in the conversation, after the message.")
    unread_total: int = Field(description="This recipient's unread count across conversations, after the message.")
    inbox_moves: InboxMoves = Field(description="How this recipient's inbox filter counts move.")


class ConversationRead(Payload):
    """`conversation.read`: to both participants when a read mark moved."""

    conversation_id: int
    user_id: int = Field(description="Who read.")
    seq: int = Field(description="Up to this message seq.")
    unread: int = absent_or("In the reader's own copy: their new unread count in the conversation.")
    unread_total: int = absent_or("In the reader's own copy: their new unread count across conversations.")
    inbox_moves: InboxMoves = absent_or("In the reader's own copy: how their inbox filter counts move.")


class ConversationStarted(Payload):
    """`conversation.started`: to the buyer's own stream only, when they open a conversation
    (Contact seller) before writing in it: their other tabs list it and count it at once."""

    conversation: ConversationSummaryOut
    inbox_moves: InboxMoves = Field(description="How the buyer's inbox filter counts move (All and Buying, +1).")


class ConversationUnread(Payload):
    """`conversation.unread`: to the user's own stream only, when they marked a conversation unread."""

    conversation_id: int
    last_read_seq: int = Field(description="The user's read mark now: just before the other person's last message.")
    unread: int = Field(description="Their unread count in the conversation now.")
    unread_total: int = Field(description="Their unread count across conversations now.")
    inbox_moves: InboxMoves = Field(description="How their inbox filter counts move.")


class InboxCounts(Wire):
    """How many conversations each inbox filter shows."""

    all: int = Field(description="Not archived.")
    unread: int = Field(description="Not archived, with unread messages.")
    buying: int = Field(description="Not archived, where the user is the buyer.")
    selling: int = Field(description="Not archived, where the user is the seller.")
    archived: int = Field(description="Archived, with no message since.")


class ConversationArchived(Payload):
    """`conversation.archived` / `conversation.unarchived`: to the user's own stream only."""

    conversation_id: int
    counts: InboxCounts = Field(description="The inbox's filter counts after the change.")


class MessageHidden(Payload):
    """`message.hidden`: to both participants when a moderator hid a message."""

    conversation_id: int
    message_id: int
    seq: int = Field(description="The message's per-conversation seq.")


class MessageEdited(Payload):
    """`message.edited`: to both participants when the sender edited a message."""

    conversation_id: int
    message: MessageOut = Field(description="The message as it is now, with `revision` and `edited_at`.")


class MessageDeleted(Payload):
    """`message.deleted`: to both participants when the sender deleted a message."""

    conversation_id: int
    message_id: int
    seq: int = Field(description="The message's per-conversation seq.")


class MessageAck(ReplyOut):
    """The reply to `edit` and `delete`: the message as it is now."""

    type: Literal["ack"]
    message: MessageOut


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


class ArchiveAck(ReplyOut):
    """The reply to `archive` and `unarchive`."""

    type: Literal["ack"]
    conversation_id: int
    archived: bool
    counts: InboxCounts


class UnreadAck(ReplyOut):
    """The reply to `unread`."""

    type: Literal["ack"]
    conversation_id: int
    last_read_seq: int
    unread: int
    unread_total: int

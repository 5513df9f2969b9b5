"""The API's request and response bodies. The shared pieces (user, listing card, message,
conversation summary, inbox row) are the conversations app's wire schemas, the same ones
its events are checked against, so the API and the stream describe one shape."""

from typing import Any, Literal, Union
from uuid import UUID

from ninja import Field, Schema

from parley.conversations.schemas import (
    ConversationDetailOut,
    ConversationSummaryOut,
    InboxCounts,
    InboxRowOut,
    ListingCardOut,
    MessageOut,
    UserOut,
)
from parley.core.frames import DatabaseId, DatabaseSeq, ErrorFrame, frames
from parley.core.schemas import Wire, absent_or
from parley.stream.schemas import stream_event_union


class ConversationCreateIn(Schema):
    listing_id: DatabaseId


class MessageIn(Schema):
    body: str = Field(..., description="1 to 5,000 characters after trimming; no control characters but newline and tab.")
    client_msg_id: UUID = Field(..., description="A UUID chosen by the client; a retry with the same id returns the original message.")
    reply_to_id: DatabaseId | None = Field(None, description="The id of the message this one replies to, in the same conversation.")
    attachment_ids: list[UUID] = Field(default_factory=list, max_length=10, description=(
        "Files uploaded first (POST /api/v1/attachments), at most 10; with some, `body` (the caption) may be empty."))


class MessageEditIn(Schema):
    body: str = Field(..., description="The new text, by the rules of sending.")
    revision: DatabaseSeq = Field(..., description="The message's `revision` you edited (0 before any edit).")


class ReadMarkIn(Schema):
    seq: DatabaseSeq | None = Field(None, description="Mark read up to this message seq; omitted means the last message.")


class Out(Wire):
    """A response body."""


class ErrorBody(Out):
    code: str = Field(description="Stable; clients branch on it.")
    message: str = Field(description="For people, in the request's language.")
    details: dict[str, Any] = Field(description="Per code, e.g. `field` for `invalid`, `retry_after` for `rate_limited`.")


class ErrorOut(Out):
    error: ErrorBody


# Every endpoint declares these error responses, in the one shape.
ERRORS: dict[int, Any] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut,
}


class MeOut(Out):
    user: UserOut
    cursor: int = Field(description="The head of the user's stream: the seq of their latest event.")
    unread_total: int


class InboxPageOut(Out):
    conversations: list[InboxRowOut] = Field(description="Newest activity first.")
    next_before: str | None = Field(description="Pass as `before` for the next page; null on the last page.")


InboxFilter = Literal["all", "unread", "buying", "selling", "archived"]


class InboxItemOut(Out):
    listing: ListingCardOut
    count: int = Field(description="Conversations about it, not archived.")


class InboxCountsOut(Out):
    counts: InboxCounts
    counts_cursor: int = Field(description="The user's stream seq the counts are exact at: add the `inbox_moves` of "
                                           "later events only.")
    items: list[InboxItemOut] = Field(description="Items the user sells with conversations about them, most first (at most 50).")


class ArchiveOut(Out):
    conversation_id: int
    archived: bool
    counts: InboxCounts


class ConversationOut(Out):
    conversation: ConversationSummaryOut


class ConversationDetailEnvelope(Out):
    conversation: ConversationDetailOut


class MessagePageOut(Out):
    messages: list[MessageOut] = Field(description="Oldest first.")
    has_more: bool
    next_before: int | None = Field(description="Pass as `before` for older messages; null when there are none.")
    has_newer: bool = absent_or("With `around`: whether messages newer than the page exist (the page then ends before the newest).")


class MessageEnvelope(Out):
    message: MessageOut


class ReadMarkOut(Out):
    conversation_id: int
    last_read_seq: int


class UnreadMarkOut(Out):
    conversation_id: int
    last_read_seq: int = Field(description="Your read mark now: just before the other person's last message.")
    unread: int
    unread_total: int


class EventsOut(Out):
    events: list[stream_event_union()] = Field(description="In seq order; each `data` per its `event` type.")
    cursor: int = Field(description="Poll again from here.")
    head: int = Field(description="The seq of the user's latest event.")
    resync_required: bool = Field(description="`since` is outside the retained stream: reload state, continue from `cursor`.")


def frame_reply_union():
    """Every reply a frame can get over `POST /api/v1/frames` (errors aside)."""
    return Union[tuple(m for m in frames.replies() if m is not ErrorFrame)]

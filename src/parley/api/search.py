"""/api/v1/search: the user's own messages that match some words (parley.search)."""

from django.http import HttpRequest
from ninja import Field, Query, Router

from parley.conversations.schemas import ConversationSummaryOut
from parley.core.schemas import Wire
from parley.search import selectors

from .schemas import ERRORS

router = Router(tags=["search"])


class TextPart(Wire):
    text: str
    mark: bool = Field(description="True for a matched word: draw it highlighted (as text, never as markup).")


class HitMessage(Wire):
    id: int
    seq: int = Field(description="Open the conversation around it: GET …/messages?around=<seq>.")
    sender_id: int
    created_at: str = Field(description="ISO 8601, UTC.")


class SearchHit(Wire):
    conversation: ConversationSummaryOut
    message: HitMessage
    parts: list[TextPart] = Field(description="The message's text around the match, in order.")


class NamedConversation(ConversationSummaryOut):
    name_parts: list[TextPart] = Field(description="The other person's name, matched words marked.")
    title_parts: list[TextPart] = Field(description="The item's title, matched words marked.")


class SearchOut(Wire):
    query: str
    terms: list[str] = Field(description="What each word was matched as: a folded word start.")
    conversations: list[NamedConversation] = Field(
        description="On the first page: the user's conversations whose other person or item matches (at most 5).")
    results: list[SearchHit] = Field(description="Matching messages, newest first.")
    next_before: str | None = Field(description="Pass as `before` for the next page; null on the last page.")


@router.get("", response={200: SearchOut, **ERRORS})
def search(request: HttpRequest, q: str = "", before: str | None = None, limit: int = Query(20, ge=1, le=50)):
    """Search the user's own conversations: message text, the other person's name and the item's
    title; accent- and case-insensitive, each word matched as a word start. 400 `query_empty`,
    `query_too_long`, `query_syntax` or `bad_cursor` for input it cannot take."""
    return selectors.search(user=request.user, q=q, before=before, limit=limit)

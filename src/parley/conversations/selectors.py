"""Reads. Selectors never change anything."""

from base64 import urlsafe_b64decode, urlsafe_b64encode
from datetime import datetime

from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _

from parley.conf import settings
from parley.core.errors import Invalid

from .models import Conversation, Message, Participant


def unread_total_for(*, user) -> int:
    """Return the number of unread messages across all of the user's conversations."""
    return unread_totals_for(user_ids=[user.pk]).get(user.pk, 0)


def unread_totals_for(*, user_ids) -> dict[int, int]:
    """Return {user_id: unread messages across their conversations} with one query."""
    rows = (
        Participant.objects.filter(user_id__in=list(user_ids))
        .values("user_id")
        .annotate(total=Sum(F("conversation__last_seq") - F("last_read_seq")))
        .values_list("user_id", "total")
    )
    return {uid: max(int(total or 0), 0) for uid, total in rows}


def unread_for(*, user_id: int, conversation_id: int) -> int:
    row = (
        Participant.objects.filter(user_id=user_id, conversation_id=conversation_id)
        .values_list("conversation__last_seq", "last_read_seq")
        .first()
    )
    return max(row[0] - row[1], 0) if row else 0


def inbox_for(*, user, limit: int = 100, after: tuple[datetime, int] | None = None):
    """Return the user's participations, newest activity first, ready for inbox rows.

    `after` is the (last_activity_at, conversation_id) of the previous page's last row. A
    seller does not see a conversation until it has a message; the buyer who opened it does.
    """
    qs = (
        Participant.objects.filter(user_id=user.pk)
        .filter(Q(conversation__last_seq__gt=0) | Q(conversation__buyer_id=user.pk))
        .select_related(
            "conversation",
            "conversation__listing",
            "conversation__buyer",
            "conversation__seller",
        )
        .annotate(unread=F("conversation__last_seq") - F("last_read_seq"))
        .order_by("-conversation__last_activity_at", "-conversation_id")
    )
    if after is not None:
        at, cid = after
        qs = qs.filter(Q(conversation__last_activity_at__lt=at) | Q(conversation__last_activity_at=at, conversation_id__lt=cid))
    rows = list(qs[:limit])
    attach_last_messages([p.conversation for p in rows])
    return rows


def inbox_page(*, user, before: str | None = None, limit: int | None = None) -> tuple[list, str | None]:
    """Return one page of inbox rows and the cursor of the next page (None on the last).

    Paged by cursor on (last activity, id), never by offset, so rows that move to the top
    while a user scrolls are neither skipped nor repeated further down.
    """
    limit = max(1, min(limit or settings.PARLEY_PAGE_SIZE, 100))
    rows = inbox_for(user=user, limit=limit + 1, after=_decode_cursor(before) if before else None)
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1].conversation
    return rows, _encode_cursor(last.last_activity_at, last.pk)


def _encode_cursor(at: datetime, conversation_id: int) -> str:
    return urlsafe_b64encode(f"{at.isoformat()}|{conversation_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        at, _sep, cid = urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition("|")
        return datetime.fromisoformat(at), int(cid)
    except (ValueError, UnicodeDecodeError):
        raise Invalid(_("before is not a cursor this server gave out."), field="before") from None


def attach_last_messages(conversations) -> None:
    """Set .last_message on each conversation (None when empty), with one query."""
    wanted = Q(pk__in=[])
    for c in conversations:
        if c.last_seq:
            wanted |= Q(conversation_id=c.pk, seq=c.last_seq)
    found = {m.conversation_id: m for m in Message.objects.filter(wanted)} if any(c.last_seq for c in conversations) else {}
    for c in conversations:
        c.last_message = found.get(c.pk)


def messages_page(*, conversation, before_seq: int | None = None, limit: int | None = None) -> tuple[list[Message], bool]:
    """Return up to `limit` messages before `before_seq` (oldest first) and whether older exist.

    Paged by seq cursor, never by offset.
    """
    limit = min(limit or settings.PARLEY_PAGE_SIZE, 100)
    qs = Message.objects.filter(conversation_id=conversation.pk)
    if before_seq is not None:
        qs = qs.filter(seq__lt=before_seq)
    rows = list(qs.order_by("-seq")[: limit + 1])
    has_more = len(rows) > limit
    return list(reversed(rows[:limit])), has_more


def read_marks_for(*, conversation) -> dict[int, int]:
    """Return {user_id: last_read_seq} for both participants."""
    return dict(Participant.objects.filter(conversation_id=conversation.pk).values_list("user_id", "last_read_seq"))


def conversation_for_listing(*, buyer, listing) -> Conversation | None:
    return Conversation.objects.filter(listing_id=listing.pk, buyer_id=buyer.pk).first()

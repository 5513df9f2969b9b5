"""Reads. Selectors never change anything."""

from django.db import connection
from django.db.models import F, Q

from parley.conf import settings
from parley.core.sql import placeholders

from .models import Conversation, Message, Participant


def unread_total_for(*, user) -> int:
    """Return the number of unread messages across all of the user's conversations."""
    return unread_totals_for(user_ids=[user.pk]).get(user.pk, 0)


def _unread_totals_sql(user_ids) -> str:
    p = connection.ops.quote_name(Participant._meta.db_table)
    c = connection.ops.quote_name(Conversation._meta.db_table)
    return (
        f"SELECT p.user_id, CAST(SUM(c.last_seq - p.last_read_seq) AS BIGINT) FROM {p} p JOIN {c} c ON c.id = p.conversation_id "
        f"WHERE p.user_id IN ({placeholders(len(user_ids))}) GROUP BY p.user_id"
    )


def unread_totals_for(*, user_ids) -> dict[int, int]:
    """Return {user_id: unread messages across their conversations} with one query."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(_unread_totals_sql(user_ids), user_ids)
        return {uid: max(int(total or 0), 0) for uid, total in cursor.fetchall()}


def read_state_for(*, conversation_ids, user_ids) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """Return the read marks in these conversations and these users' unread totals, in one query.

    ({(conversation_id, user_id): last_read_seq}, {user_id: unread total}). Raw SQL and one
    round trip because the send path calls it for every batch.
    """
    conversation_ids, user_ids = list(conversation_ids), list(user_ids)
    p = connection.ops.quote_name(Participant._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 0, conversation_id, user_id, last_read_seq FROM {p} "
            f"WHERE conversation_id IN ({placeholders(len(conversation_ids))}) "
            f"UNION ALL SELECT 1, totals.*, 0 FROM ({_unread_totals_sql(user_ids)}) AS totals",
            [*conversation_ids, *user_ids],
        )
        read, totals = {}, {}
        for kind, a, b, c in cursor.fetchall():
            if kind == 0:
                read[(a, b)] = c
            else:
                totals[a] = max(int(b or 0), 0)
    return read, totals


def unread_for(*, user_id: int, conversation_id: int) -> int:
    row = (
        Participant.objects.filter(user_id=user_id, conversation_id=conversation_id)
        .values_list("conversation__last_seq", "last_read_seq")
        .first()
    )
    return max(row[0] - row[1], 0) if row else 0


def inbox_for(*, user, limit: int = 100, before=None):
    """Return the user's participations, newest activity first, ready for inbox rows.

    A seller does not see a conversation until it has a message; the buyer who opened
    it does.
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
    if before is not None:
        qs = qs.filter(conversation__last_activity_at__lt=before)
    rows = list(qs[:limit])
    attach_last_messages([p.conversation for p in rows])
    return rows


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

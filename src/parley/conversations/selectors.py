"""Reads. Selectors never change anything."""

from base64 import urlsafe_b64decode, urlsafe_b64encode
from datetime import datetime

from django.db.models import Count, F, Min, Q
from django.utils.translation import gettext_lazy as _

from parley.conf import settings
from parley.core.errors import Invalid

from .models import Conversation, Message, Participant, UnreadTotal


def unread_total_for(*, user) -> int:
    """Return the number of unread messages across all of the user's conversations."""
    return unread_totals_for(user_ids=[user.pk]).get(user.pk, 0)


def unread_totals_for(*, user_ids) -> dict[int, int]:
    """Return {user_id: unread messages across their conversations} with one query: the
    totals kept per user (models.UnreadTotal), 0 for a user without one."""
    totals = dict.fromkeys(user_ids, 0)
    for uid, total in UnreadTotal.objects.filter(user_id__in=list(totals)).values_list("user_id", "total"):
        totals[uid] = max(total, 0)
    return totals


def unread_for(*, user_id: int, conversation_id: int) -> int:
    row = (
        Participant.objects.filter(user_id=user_id, conversation_id=conversation_id)
        .values_list("conversation__last_seq", "last_read_seq")
        .first()
    )
    return max(row[0] - row[1], 0) if row else 0


# A conversation is archived for a user while no message came after they archived it.
ARCHIVED = Q(archived_seq__isnull=False, archived_seq__gte=F("conversation__last_seq"))
# The inbox's filters (chips): each a condition on the user's participations.
INBOX_FILTERS = {
    "all": ~ARCHIVED,
    "unread": ~ARCHIVED & Q(last_read_seq__lt=F("conversation__last_seq")),
    "buying": ~ARCHIVED & Q(role=Participant.Role.BUYER),
    "selling": ~ARCHIVED & Q(role=Participant.Role.SELLER),
    "archived": ARCHIVED,
}


def inbox_filters_of(*, role: str, last_seq: int, is_buyer: bool, read_seq: int, archived_seq: int | None) -> frozenset[str]:
    """The filters one participation counts in: INBOX_FILTERS and the inbox's visibility rule
    for a single row in Python, so that an event can say how the counts move."""
    if last_seq <= 0 and not is_buyer:  # a seller sees nothing before the first message
        return frozenset()
    if archived_seq is not None and archived_seq >= last_seq:
        return frozenset({"archived"})
    mine = {"all", "buying" if role == Participant.Role.BUYER else "selling"}
    if read_seq < last_seq:
        mine.add("unread")
    return frozenset(mine)


def inbox_moves(before: frozenset[str], after: frozenset[str]) -> dict[str, int]:
    """How the filter counts move when a participation goes from `before` to `after`."""
    return {name: (name in after) - (name in before) for name in INBOX_FILTERS if (name in after) != (name in before)}


def _inbox_participations(user):
    """The user's participations the inbox shows: a seller does not see a conversation until it
    has a message; the buyer who opened it does."""
    return Participant.objects.filter(user_id=user.pk).filter(
        Q(conversation__last_seq__gt=0) | Q(conversation__buyer_id=user.pk))


def _filter_inbox(qs, *, filter: str = "all", listing_id: int | None = None):
    if filter not in INBOX_FILTERS:
        raise Invalid(_("filter is one of all, unread, buying, selling and archived."), field="filter")
    qs = qs.filter(INBOX_FILTERS[filter])
    if listing_id is not None:
        qs = qs.filter(conversation__listing_id=listing_id)
    return qs


def inbox_counts_for(*, user) -> dict[str, int]:
    """How many conversations each inbox filter shows, with one query."""

    counts = _inbox_participations(user).aggregate(**{
        name: Count("pk", filter=condition) for name, condition in INBOX_FILTERS.items()
    })
    return {name: int(counts[name] or 0) for name in INBOX_FILTERS}


def inbox_counts_at(*, user) -> tuple[dict[str, int], int]:
    """The inbox's counts and the user's stream seq they are exact at, for a tab that then adds
    the events' `inbox_moves` after that seq. No event of the user committed between the two
    reads of the seq around the counts, else they are read again (a few times at most: an event
    every few milliseconds for one user is rare, and the counts are then at most that off)."""
    from parley.stream.read import stream_cursor_for

    cursor = stream_cursor_for(user=user)
    for _attempt in range(4):
        counts = inbox_counts_for(user=user)
        after = stream_cursor_for(user=user)
        if after == cursor:
            break
        cursor = after
    return counts, cursor


def inbox_items_for(*, user, limit: int = 50) -> list[tuple[int, int]]:
    """(listing id, conversations) of the user's selling conversations not archived, most
    enquiries first: the inbox's filter by item."""

    rows = (
        _filter_inbox(_inbox_participations(user), filter="selling")
        .values("conversation__listing_id").annotate(n=Count("pk")).order_by("-n", "conversation__listing_id")
    )
    return [(r["conversation__listing_id"], r["n"]) for r in rows[:limit]]


def inbox_for(*, user, limit: int = 100, after: tuple[datetime, int] | None = None, filter: str = "all",
              listing_id: int | None = None):
    """Return the user's participations, newest activity first, ready for inbox rows.

    `after` is the (last_activity_at, conversation_id) of the previous page's last row;
    `filter` one of INBOX_FILTERS (archived conversations only show under "archived").
    """
    qs = (
        _filter_inbox(_inbox_participations(user), filter=filter, listing_id=listing_id)
        .select_related(
            "conversation",
            "conversation__listing",
            "conversation__buyer",
            "conversation__seller",
        )
        .annotate(unread=F("conversation__last_seq") - F("last_read_seq"))
        # The participation's copy of the last activity: a walk of the (user, last activity,
        # conversation) index, where the conversation's column made the database sort them all.
        .order_by("-last_activity_at", "-conversation_id")
    )
    if after is not None:
        at, cid = after
        qs = qs.filter(Q(last_activity_at__lt=at) | Q(last_activity_at=at, conversation_id__lt=cid))
    rows = list(qs[:limit])
    attach_last_messages([p.conversation for p in rows])
    return rows


def inbox_page(*, user, before: str | None = None, limit: int | None = None, filter: str = "all",
               listing_id: int | None = None) -> tuple[list, str | None]:
    """Return one page of inbox rows and the cursor of the next page (None on the last).

    Paged by cursor on (last activity, id), never by offset, so rows that move to the top
    while a user scrolls are neither skipped nor repeated further down.
    """
    limit = max(1, min(limit or settings.PARLEY_PAGE_SIZE, 100))
    rows = inbox_for(user=user, limit=limit + 1, after=_decode_cursor(before) if before else None, filter=filter,
                     listing_id=listing_id)
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, _encode_cursor(last.last_activity_at, last.conversation_id)


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
    # Two IN lists use the (conversation, seq) unique index; an OR of 30 pairs made SQLite scan
    # the whole message table (docs/benchmarks.md, "Search and the inbox at scale"). A row of
    # one conversation whose seq is another's last is dropped below.
    wanted = {c.pk: c.last_seq for c in conversations if c.last_seq}
    found = {}
    if wanted:
        rows = Message.objects.filter(conversation_id__in=list(wanted), seq__in=set(wanted.values())).select_related("reply_to")
        found = {m.conversation_id: m for m in rows if wanted[m.conversation_id] == m.seq}
    for c in conversations:
        c.last_message = found.get(c.pk)


def messages_page(*, conversation, before_seq: int | None = None, limit: int | None = None) -> tuple[list[Message], bool]:
    """Return up to `limit` messages before `before_seq` (oldest first) and whether older exist.

    Paged by seq cursor, never by offset. At most 300 (the page opened at a search result).
    """
    limit = min(limit or settings.PARLEY_PAGE_SIZE, 300)
    qs = Message.objects.filter(conversation_id=conversation.pk).select_related("reply_to")
    if before_seq is not None:
        qs = qs.filter(seq__lt=before_seq)
    rows = list(qs.order_by("-seq")[: limit + 1])
    has_more = len(rows) > limit
    return list(reversed(rows[:limit])), has_more


def messages_page_around(*, conversation, seq: int, limit: int | None = None) -> tuple[list[Message], bool, bool]:
    """Return up to `limit` messages around `seq` (oldest first, about a third of them after it),
    whether older ones exist and whether newer ones exist. Search opens a result with this."""
    limit = min(limit or settings.PARLEY_PAGE_SIZE, 100)
    qs = Message.objects.filter(conversation_id=conversation.pk).select_related("reply_to")
    after = list(qs.filter(seq__gt=seq).order_by("seq")[: limit // 3 + 1])
    has_newer = len(after) > limit // 3
    after = after[: limit // 3]
    before = list(qs.filter(seq__lte=seq).order_by("-seq")[: limit - len(after) + 1])
    has_more = len(before) > limit - len(after)
    before = before[: limit - len(after)]
    if len(before) + len(after) < limit and has_newer:  # near the start: fill with newer ones
        extra = list(qs.filter(seq__gt=after[-1].seq if after else seq).order_by("seq")[: limit - len(before) - len(after) + 1])
        has_newer = len(extra) > limit - len(before) - len(after)
        after += extra[: limit - len(before) - len(after)]
    return [*reversed(before), *after], has_more, has_newer


def archived_for(*, user_id: int, conversation) -> bool:
    """Whether the user archived the conversation and no message came since."""
    return Participant.objects.filter(user_id=user_id, conversation_id=conversation.pk).filter(
        archived_seq__gte=conversation.last_seq).exists()


def read_marks_for(*, conversation) -> dict[int, int]:
    """Return {user_id: last_read_seq} for both participants."""
    return dict(Participant.objects.filter(conversation_id=conversation.pk).values_list("user_id", "last_read_seq"))


def conversation_for_listing(*, buyer, listing) -> Conversation | None:
    return Conversation.objects.filter(listing_id=listing.pk, buyer_id=buyer.pk).first()


def shares_conversation(*, user_id: int, other_id: int) -> bool:
    """Whether the two users take part in a conversation together."""
    if user_id == other_id:
        return False
    return Conversation.objects.filter(
        Q(buyer_id=user_id, seller_id=other_id) | Q(buyer_id=other_id, seller_id=user_id)
    ).exists()


def messages_around(*, message, count: int = 5) -> list[Message]:
    """The `count` messages before `message`, it, and the `count` after, in seq order."""
    qs = Message.objects.filter(conversation_id=message.conversation_id).select_related("sender")
    before = list(qs.filter(seq__lt=message.seq).order_by("-seq")[:count])
    after = list(qs.filter(seq__gte=message.seq).order_by("seq")[: count + 1])
    return [*reversed(before), *after]


def message_in(conversation, message_id) -> Message | None:
    """The message `message_id` of this conversation, or None (also for an id out of range)."""
    try:
        pk = int(message_id)
    except (TypeError, ValueError):
        return None
    if not 1 <= pk <= 2**63 - 1:
        return None
    return Message.objects.filter(conversation_id=conversation.pk, pk=pk).first()


def visible_messages_with_ids(ids) -> list[Message]:
    """The messages with these ids whose text may be shown (not deleted, not hidden), with their
    conversation, its listing and people loaded; in no particular order. For search, which
    checks access on each conversation (access.conversations_for) before showing anything."""
    return list(
        Message.objects.filter(pk__in=list(ids), deleted_at__isnull=True, hidden_at__isnull=True)
        .select_related("conversation", "conversation__listing", "conversation__buyer", "conversation__seller")
    )


def conversation_names_for(*, user) -> list[tuple[int, str, str]]:
    """(conversation id, the other person's name, the listing's title) for each conversation the
    user takes part in, most recent activity first: the words search matches besides message
    text. One query of plain values when the listing adapter names its title field
    (`title_field`), else model rows."""
    from .listings import listing_adapter

    from django.contrib.auth import get_user_model

    adapter = listing_adapter()
    field = getattr(adapter, "title_field", None)
    user_model = get_user_model()
    login = user_model.USERNAME_FIELD
    plain = {f.name for f in user_model._meta.get_fields()} >= {"first_name", "last_name", login}
    out = []
    if field and plain:  # a user model with Django's name fields
        # Two queries: the user's conversation ids from the inbox's index, newest first, then
        # their names by primary key. Joined in one, PostgreSQL read all 50,000 conversations
        # to hash-join 500 (13 ms against 2, docs/benchmarks.md).
        order = list(Participant.objects.filter(user_id=user.pk).order_by("-last_activity_at", "-conversation_id")
                     .values_list("conversation_id", flat=True))
        rows = _conversations_of(user).filter(pk__in=order).values_list(
            "pk", "buyer_id", "buyer__first_name", "buyer__last_name", f"buyer__{login}",
            "seller__first_name", "seller__last_name", f"seller__{login}", f"listing__{field}")
        named = {}
        for cid, buyer_id, bf, bl, bu, sf, sl, su, title in rows:
            first, last, username = (sf, sl, su) if buyer_id == user.pk else (bf, bl, bu)
            named[cid] = (cid, f"{first} {last} {username}".strip(), title or "")
        return [named[cid] for cid in order if cid in named]
    for c in _conversations_of(user).order_by("-last_activity_at", "-pk").select_related("listing", "buyer", "seller"):
        other = c.seller if c.buyer_id == user.pk else c.buyer
        out.append((c.pk, f"{other.get_full_name()} {other.get_username()}".strip(), adapter.title(c.listing) or ""))
    return out


def _conversations_of(user):
    # As in the inbox: a seller does not see a conversation until it has a message.
    return (
        Conversation.objects.filter(participants__user_id=user.pk)
        .filter(Q(last_seq__gt=0) | Q(buyer_id=user.pk))
    )


def unread_messages_for(*, user_id: int, conversation_id: int, limit: int = 50) -> tuple[dict | None, list[dict]]:
    """What a notification about one conversation may show its participant `user_id`.

    Returns (the conversation's summary as they see it, or None when they do not take part;
    the messages they have not read there, oldest first, at most `limit`, without removed ones).
    """
    from .serializers import conversation_summary, message_dict

    participant = (
        Participant.objects.filter(user_id=user_id, conversation_id=conversation_id)
        .select_related("conversation__buyer", "conversation__seller", "conversation__listing")
        .first()
    )
    if participant is None:
        return None, []
    unread = list(
        Message.objects.filter(conversation_id=conversation_id, seq__gt=participant.last_read_seq,
                               hidden_at__isnull=True, deleted_at__isnull=True)
        .exclude(sender_id=user_id).order_by("seq")[:limit]
    )
    return conversation_summary(participant.conversation, for_user_id=user_id), [message_dict(m) for m in unread]


def unread_counts_for(*, pairs) -> dict[tuple[int, int], int]:
    """{(user_id, conversation_id): unread there} for these pairs (missing: not a participant)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = (
        Participant.objects.filter(user_id__in={u for u, _c in pairs}, conversation_id__in={c for _u, c in pairs})
        .values_list("user_id", "conversation_id", "conversation__last_seq", "last_read_seq")
    )
    return {(u, c): max(last - read, 0) for u, c, last, read in rows if (u, c) in pairs}


def conversations_about_listing(*, listing_id: int) -> list[tuple[int, int, int]]:
    """(conversation id, buyer id, seller id) of every conversation about a listing, by id."""
    return list(Conversation.objects.filter(listing_id=listing_id).order_by("pk").values_list("pk", "buyer_id", "seller_id"))


def first_reply_delays(*, seller_id: int, since: datetime) -> list[float]:
    """Seconds from a buyer's first message to the seller's first reply, per conversation about
    one of the seller's listings started after `since` (unanswered ones left out)."""
    firsts = (Message.objects.filter(conversation__seller_id=seller_id, conversation__created_at__gte=since)
              .values("conversation_id", "sender_id").annotate(first=Min("created_at")))
    by_conv: dict[int, dict[int, datetime]] = {}
    for row in firsts:
        by_conv.setdefault(row["conversation_id"], {})[row["sender_id"]] = row["first"]
    delays = []
    for senders in by_conv.values():
        seller_first = senders.pop(seller_id, None)
        buyer_first = min(senders.values()) if senders else None
        if seller_first and buyer_first and seller_first >= buyer_first:
            delays.append((seller_first - buyer_first).total_seconds())
    return delays

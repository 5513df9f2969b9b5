"""Reads of the streams. Selectors never change anything."""

from .append import Event
from .models import StreamEvent, UserStream


def stream_cursor_for(*, user) -> int:
    """Return the seq of the user's latest event (0 when none)."""
    return UserStream.objects.filter(user_id=user.pk).values_list("last_seq", flat=True).first() or 0


def stream_since(*, user, since: int, limit: int = 500) -> tuple[list[Event], int, bool]:
    """Return (events after `since`, the head seq, whether `since` fell behind retention).

    Events come in seq order, at most `limit` of them; the caller asks again from the
    last one's seq while fewer than the head were returned.
    """
    head = UserStream.objects.filter(user_id=user.pk).values_list("last_seq", "pruned_through").first()
    last_seq, pruned_through = head or (0, 0)
    if since < pruned_through or since > last_seq or since < 0:
        return [], last_seq, True
    rows = (
        StreamEvent.objects.filter(user_id=user.pk, seq__gt=since)
        .order_by("seq")
        .values_list("seq", "type", "payload")[:limit]
    )
    return [Event(user.pk, seq, etype, data) for seq, etype, data in rows], last_seq, False

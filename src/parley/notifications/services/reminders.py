"""Meet-up reminders on the ladder: the `meetup.reminder` stream event (parley.deals, an hour
before an accepted meet-up) is live on every open socket; this opens a push notice and an
email notice for each participant, each at most once (a unique constraint per user, channel
and meet-up), sent when due unless a Parley tab of theirs was visible since the reminder
(they saw it live), the conversation is muted, the channel is off or quiet hours last past
the meet-up.

Notifications does not import deals (same layer): the event is matched by its name and
carries what the reminder says (docs/protocol.md, "meetup.reminder").
"""

from datetime import datetime, timedelta

from parley.conf import settings

from ..models import Notice
from . import clock
from .ladder import email_delay, push_users

MEETUP_REMINDER = "meetup.reminder"
MEETUP_PROPOSED = "meetup.proposed"  # replaces the conversation's open or accepted meet-up


def reminder_items(events) -> tuple[list[list], list[list]]:
    """([recipient, conversation, meet-up id, at, place, address] per committed `meetup.reminder`
    copy, [recipient, conversation, new meet-up id] per `meetup.proposed` copy)."""
    reminders, proposed = [], []
    for e in events:
        if e.type == MEETUP_REMINDER:
            m = e.data["meetup"]
            reminders.append([e.user_id, m["conversation_id"], m["id"], m["at"], m["place"], m["address"]])
        elif e.type == MEETUP_PROPOSED:
            m = e.data["meetup"]
            proposed.append([e.user_id, m["conversation_id"], m["id"]])
    return reminders, proposed


def reminders_cancel_replaced(items: list[list], *, now: datetime | None = None) -> int:
    """A new proposal replaces the conversation's meet-up: its reminders still pending never go."""
    cancelled = 0
    for user_id, conversation_id, meetup_id in items:
        cancelled += Notice.objects.filter(
            kind=Notice.Kind.MEETUP, status=Notice.Status.PENDING, user_id=user_id, conversation_id=conversation_id,
        ).exclude(ref=meetup_id).update(status=Notice.Status.CANCELLED, reason=Notice.Reason.REPLACED,
                                        done_at=now or clock())
    return cancelled


def reminders_schedule(items: list[list], *, now: datetime | None = None) -> list[tuple[str, datetime]]:
    """Open the push (after PARLEY_PUSH_DELAY, for users with a device) and email (after the
    email delay) notices of these reminders; one per user, channel and meet-up, ever. Returns
    (channel, due at) of the notices this call opened."""
    now = now or clock()
    if not items:
        return []
    pushable = push_users({item[0] for item in items})
    delays = {Notice.Channel.EMAIL: email_delay(), Notice.Channel.PUSH: timedelta(seconds=settings.PARLEY_PUSH_DELAY)}
    rows = [
        Notice(user_id=user_id, conversation_id=conversation_id, channel=channel, kind=Notice.Kind.MEETUP,
               ref=meetup_id, detail={"at": at, "place": place, "address": address},
               first_seq=0, last_seq=0, created_at=now, due_at=now + delays[channel])
        for user_id, conversation_id, meetup_id, at, place, address in items
        for channel in ((Notice.Channel.EMAIL, Notice.Channel.PUSH) if user_id in pushable else (Notice.Channel.EMAIL,))
    ]
    existing = set(Notice.objects.filter(kind=Notice.Kind.MEETUP, ref__in={r.ref for r in rows},
                                         user_id__in={r.user_id for r in rows}).values_list("user_id", "channel", "ref"))
    rows = [r for r in rows if (r.user_id, r.channel, r.ref) not in existing]
    # A reminder handed on twice, or a notice of the same conversation still pending: ours is dropped.
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    return [(row.channel, row.due_at) for row in rows]


def meetup_at(notice: Notice) -> datetime:
    return datetime.fromisoformat(notice.detail["at"].replace("Z", "+00:00"))

"""The ladder as one policy: live first (the doorbell), then email after the delay, if unread.

The stream sink hands every committed `message.created` (the recipient's copy) and
`conversation.read` (the reader's copy) to a task, which calls `notices_schedule`: a message
opens, or joins, the recipient's pending email notice for that conversation; a read cancels
what it covers. When a notice is due, `notice_attempt` claims it (a conditional UPDATE:
pending -> sending, so two workers never both take it), checks everything again (read on any
device, muted, blocked, channel off, no confirmed address, quiet hours) and sends, recording
the outcome and its reason on the row, which the admin shows.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from parley.conf import settings
from parley.conversations.selectors import unread_counts_for

from ..models import Notice
from . import clock
from .live import notices_record_live

logger = logging.getLogger("parley.notifications")

# Seconds before the next attempt after the n-th failure (SMTP server unreachable …).
BACKOFF = (30, 120, 600, 1800, 3600, 3 * 3600)
# A notice claimed longer ago than this was left by a worker that died while sending it.
CLAIM_LEASE = timedelta(minutes=15)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1])


def notices_schedule(*, messages: list[dict], reads: list[dict], now: datetime | None = None) -> list[tuple[str, datetime]]:
    """Apply a batch of items: messages open pending notices, then reads cancel them.

    A message item is {"u": recipient, "c": conversation, "s": seq, "t": sent at (datetime),
    "o": the recipient had a socket on the committing process}; a read item {"u": reader,
    "c": conversation, "s": read up to seq}. Every recipient gets an email notice; those with a
    device subscribed to push (and push on) a push notice too. A message for which a notice is
    already pending joins it (the email lists every unread message when it goes). A few
    queries per batch, whatever its size. Returns (channel, due at) of the notices it opened.
    """
    now = now or clock()
    grouped = _by_recipient(messages)
    opened = _notices_open(grouped, now) if grouped else []
    if reads:
        notices_cancel_read(pairs={(r["u"], r["c"]) for r in reads}, now=now)
    return opened


def _by_recipient(messages: list[dict]) -> dict[tuple[int, int], dict]:
    """{(recipient, conversation): {"first", "last" seq, "at" first sent, "n" messages, "here"}}."""
    grouped: dict[tuple[int, int], dict] = {}
    for m in messages:
        g = grouped.setdefault((m["u"], m["c"]), {"first": m["s"], "last": m["s"], "at": m["t"], "n": 0, "here": False})
        g["first"], g["last"], g["at"] = min(g["first"], m["s"]), max(g["last"], m["s"]), min(g["at"], m["t"])
        g["n"] += 1
        g["here"] = g["here"] or bool(m.get("o"))
    return grouped


def _notices_open(grouped: dict[tuple[int, int], dict], now: datetime) -> list[tuple[str, datetime]]:
    """Open the email (and push) notices these recipients have no pending one for, recording
    the live step with each new unread spell; return (channel, due at) of those opened."""
    delays = {Notice.Channel.EMAIL: email_delay(), Notice.Channel.PUSH: timedelta(seconds=settings.PARLEY_PUSH_DELAY)}
    pushable = push_users({user_id for user_id, _c in grouped})
    pending = set(
        Notice.objects.filter(user_id__in={u for u, _c in grouped}, conversation_id__in={c for _u, c in grouped},
                              status=Notice.Status.PENDING, kind=Notice.Kind.MESSAGES)
        .values_list("user_id", "conversation_id", "channel")
    )
    # The live step is recorded once per unread spell: with the message that opens the email
    # notice, not with those that join it (a row per batch and recipient cost scenario b a
    # third of its rate on SQLite: docs/benchmarks.md).
    notices_record_live(grouped={key: g for key, g in grouped.items() if (*key, Notice.Channel.EMAIL) not in pending},
                        now=now)
    rows = [
        Notice(user_id=user_id, conversation_id=conversation_id, channel=channel, first_seq=g["first"],
               last_seq=g["last"], created_at=now, due_at=g["at"] + delays[channel])
        for (user_id, conversation_id), g in grouped.items()
        for channel in ((Notice.Channel.EMAIL, Notice.Channel.PUSH) if user_id in pushable else (Notice.Channel.EMAIL,))
        if (user_id, conversation_id, channel) not in pending
    ]
    # A notice another worker opened meanwhile wins (the partial unique constraint): ours is dropped.
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    return [(row.channel, row.due_at) for row in rows]


def push_users(user_ids: set[int]) -> set[int]:
    """Those of these users with a device subscribed to push and push switched on."""
    from ..models import NotificationSettings, PushSubscription

    subscribed = set(PushSubscription.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    if not subscribed:
        return subscribed
    off = set(NotificationSettings.objects.filter(user_id__in=subscribed, push=False).values_list("user_id", flat=True))
    return subscribed - off


def notices_cancel_read(*, pairs: set[tuple[int, int]], now: datetime | None = None) -> int:
    """Cancel every pending step of these (user, conversation) pairs where nothing is unread now.

    Asks the read marks as they are, not the read's seq, so the order in which messages and
    reads reach the ladder does not matter: a newer unread message keeps its notice.
    """
    read = [pair for pair, unread in unread_counts_for(pairs=pairs).items() if unread == 0]
    if not read:
        return 0
    match = Q()
    for user_id, conversation_id in read:
        match |= Q(user_id=user_id, conversation_id=conversation_id)
    return Notice.objects.filter(match, status=Notice.Status.PENDING, kind=Notice.Kind.MESSAGES).update(
        status=Notice.Status.CANCELLED, reason=Notice.Reason.READ, done_at=now or clock())


def notice_claim(notice_id, now: datetime) -> Notice | None:
    """Take a due, pending notice for this worker, or None if it is not due or someone has it."""
    claimed = Notice.objects.filter(pk=notice_id, status=Notice.Status.PENDING, due_at__lte=now).update(
        status=Notice.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1,
    )
    return Notice.objects.get(pk=notice_id) if claimed else None


def notice_finish(notice: Notice, *, status: str, reason: str, now: datetime, **fields) -> Notice:
    """Record a claimed notice's outcome."""
    notice.status, notice.reason, notice.done_at = status, reason, now
    for name, value in fields.items():
        setattr(notice, name, value)
    notice.save(update_fields=["status", "reason", "done_at", "claimed_at", *fields])
    return notice


def notice_retry(notice: Notice, *, error: str, now: datetime, at: datetime | None = None,
                 reason: str = Notice.Reason.RETRYING) -> Notice:
    """Put a claimed notice back to pending for a later attempt (nothing was sent)."""
    give_up_at = notice.created_at + timedelta(seconds=settings.PARLEY_NOTIFY_RETRY_FOR)
    retry_at = at or now + backoff(notice.attempts)
    if retry_at > give_up_at and at is None:
        return notice_finish(notice, status=Notice.Status.FAILED, reason=Notice.Reason.GAVE_UP, now=now,
                             last_error=error[:500])
    notice.status, notice.reason, notice.due_at, notice.last_error = Notice.Status.PENDING, reason, retry_at, error[:500]
    try:
        with transaction.atomic():
            notice.save(update_fields=["status", "reason", "due_at", "last_error", "targets_done"])
    except IntegrityError:
        # A newer message opened another pending notice meanwhile; it lists every unread message.
        notice_finish(notice, status=Notice.Status.CANCELLED, reason=Notice.Reason.MERGED, now=now,
                      last_error=error[:500])
        Notice.objects.filter(user_id=notice.user_id, conversation_id=notice.conversation_id,
                              channel=notice.channel, kind=notice.kind, status=Notice.Status.PENDING,
                              first_seq__gt=notice.first_seq).update(first_seq=notice.first_seq)
    return notice


def notices_due(now: datetime, limit: int = 200) -> list[int]:
    return list(Notice.objects.filter(status=Notice.Status.PENDING, due_at__lte=now)
                .order_by("due_at", "pk").values_list("pk", flat=True)[:limit])


def notices_release_stale(now: datetime) -> int:
    """Record notices whose worker died mid-send: never retried, so never sent twice."""
    return Notice.objects.filter(status=Notice.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE).update(
        status=Notice.Status.FAILED, reason=Notice.Reason.INTERRUPTED, done_at=now,
    )


def notices_run_due(limit: int = 200) -> list[Notice]:
    """Attempt every due notice, one claim at a time; returns those this worker attempted."""
    from .channels import notice_attempt

    now = clock()
    notices_release_stale(now)
    return [n for pk in notices_due(now, limit) if (n := notice_attempt(pk)) is not None]


def notices_prune(*, older_than: datetime) -> int:
    """Delete finished notices (sent, not sent, failed) done before `older_than`; return how many.
    Pending and sending ones are never touched: they are still work to do."""
    done = Notice.objects.filter(done_at__lt=older_than).exclude(status__in=[Notice.Status.PENDING, Notice.Status.SENDING])
    deleted, _ = done.delete()
    return deleted


def email_delay() -> timedelta:
    return timedelta(seconds=settings.PARLEY_EMAIL_DELAY)

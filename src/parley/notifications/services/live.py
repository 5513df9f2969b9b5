"""The ladder's first step, recorded: was the recipient connected when their messages committed?

The doorbell delivers every event to the recipient's open sockets on the send path and keeps
no record; this writes one afterwards, in the worker, per (recipient, conversation) and unread
spell (the batch of the `ladder` task that opens the email notice; the messages that join a
pending notice add none), so the admin can see why someone's tab rang or did not. Connected means a
socket open on the committing process at commit (the sink's flag) or, where the presence store
is shared (Redis), on any process when the ladder runs. A muted conversation is delivered but
does not ring.
"""

import logging
from datetime import datetime

from parley.core.errors import Unavailable
from parley.stream.presence import tracker

from ..models import Mute, Notice

logger = logging.getLogger("parley.notifications")

Status, Reason = Notice.Status, Notice.Reason


def notices_record_live(*, grouped: dict[tuple[int, int], dict], now: datetime) -> list[Notice]:
    """Write one live notice per (recipient, conversation): {"first", "last", "at", "n", "here"} each."""
    if not grouped:
        return []
    users = {user_id for user_id, _c in grouped}
    here = {user_id for (user_id, _c), g in grouped.items() if g["here"]}
    try:
        online: set[int] | None = here | tracker.online_among(users - here)
    except Unavailable:
        online = None  # Redis is down: those not seen here are unknown, not offline
    muted = set(Mute.objects.filter(user_id__in=users, conversation_id__in={c for _u, c in grouped})
                .exclude(until__lte=now).values_list("user_id", "conversation_id"))
    rows = []
    for (user_id, conversation_id), g in grouped.items():
        if user_id in here or (online is not None and user_id in online):
            status, reason = (Status.CANCELLED, Reason.MUTED) if (user_id, conversation_id) in muted \
                else (Status.SENT, Reason.ONLINE)
        else:
            status, reason = Status.CANCELLED, (Reason.OFFLINE if online is not None else Reason.UNKNOWN)
        rows.append(Notice(user_id=user_id, conversation_id=conversation_id, channel=Notice.Channel.LIVE,
                           status=status, reason=reason, first_seq=g["first"], last_seq=g["last"], messages=g["n"],
                           created_at=g["at"], due_at=g["at"], done_at=now))
    return Notice.objects.bulk_create(rows)

"""Background tasks (django.tasks; the database backend's worker runs them in production)."""

from datetime import datetime, timedelta

import orjson
from django.contrib.auth import get_user_model
from django_tasks import task

from parley.conf import settings

from .services import clock, ladder as ladder_services
from .services.reminders import reminders_cancel_replaced, reminders_schedule
from .services.mail import confirmation_email
from .services.preferences import settings_for


@task()
def ladder(items: str) -> int:
    """Apply one commit's messages and reads (sink.ladder_items, as JSON); queue the sweep for when it is due."""
    messages, reads = orjson.loads(items)
    due = ladder_services.notices_schedule(
        # A fifth number, the socket on the committing process, came with the live step (older tasks lack it).
        messages=[{"u": u, "c": c, "s": s, "t": datetime.fromisoformat(t.replace("Z", "+00:00")), "o": bool(here and here[0])}
                  for u, c, s, t, *here in messages],
        reads=[{"u": u, "c": c, "s": s} for u, c, s in reads],
    )
    if due and send_due.get_backend().supports_defer:
        # One sweep per channel, when the last of this commit's notices is due: it takes them all.
        for channel in {c for c, _at in due}:
            send_due.using(run_after=max(at for c, at in due if c == channel)).enqueue()
    return len(due)


@task()
def meetup_reminders(items: str) -> int:
    """Open the notices of one commit's meet-up reminders and cancel those of replaced meet-ups
    (sink: reminder_items, as JSON)."""
    reminders, proposed = orjson.loads(items)
    reminders_cancel_replaced(proposed)
    due = reminders_schedule(reminders)
    if due and send_due.get_backend().supports_defer:
        for channel in {c for c, _at in due}:
            send_due.using(run_after=max(at for c, at in due if c == channel)).enqueue()
    return len(due)


@task()
def send_due() -> int:
    """Attempt every due notice (each claimed once); queue a sweep for the retries it put back."""
    done = ladder_services.notices_run_due(limit=500)
    later = [n.due_at for n in done if n.status == n.Status.PENDING]
    if len(done) == 500:
        later.append(clock())  # more were due than one sweep takes
    if later and send_due.get_backend().supports_defer:
        send_due.using(run_after=min(later)).enqueue()
    return len(done)


@task()
def send_confirmation(user_id: int, address: str) -> bool:
    """Mail the confirmation link for `address`, if the user still waits for it."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    row = settings_for(user_id=user_id)
    if row.pending_email != address:
        return False
    confirmation_email(user=user, row=row, address=address).send()
    return True


@task()
def prune_notices() -> int:
    """Delete the finished notification records older than PARLEY_NOTICE_KEEP_DAYS."""
    return ladder_services.notices_prune(older_than=clock() - timedelta(days=settings.PARLEY_NOTICE_KEEP_DAYS))

"""What moderators do from the admin: hide a message, warn, suspend, close a report.

Every action is recorded as a ModerationAction in the transaction that does it; doing
something a second time (hiding a hidden message, suspending a suspended user, closing a
closed report) changes nothing and records nothing.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.conversations.services import message_hide
from parley.core.errors import Forbidden, Invalid, lazy_format
from parley.stream.append import stream_append

from .. import events
from ..models import ModerationAction, Report

WARNING_MAX_CHARS = 1000


def require_moderator(user) -> None:
    """Raise Forbidden unless `user` is staff (the admin lets only staff in anyway)."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        raise Forbidden(_("Only moderators (staff) can do this."))


def _record(moderator, action, *, user=None, message=None, report=None, note: str = "") -> ModerationAction:
    return ModerationAction.objects.create(
        moderator_id=moderator.pk, action=action, target_user_id=user.pk if user else None,
        target_message_id=message.pk if message else None, report=report, note=note,
    )


def moderation_hide_message(*, moderator, message, report: Report | None = None) -> bool:
    """Hide `message` from both participants (conversations' message_hide); return whether it was visible."""
    require_moderator(moderator)
    with transaction.atomic():
        hidden = message_hide(message=message, moderator=moderator)
        if hidden:
            _record(moderator, ModerationAction.Kind.HIDE_MESSAGE, user=message.sender, message=message, report=report)
    return hidden


def moderation_warn(*, moderator, user, text: str, report: Report | None = None) -> ModerationAction:
    """Warn `user`: every open tab of theirs shows `text` (event account.warned)."""
    require_moderator(moderator)
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Write the warning the user will read."), field="text")
    if len(text) > WARNING_MAX_CHARS:
        raise Invalid(
            lazy_format(_("The warning is %(length)d characters long; the limit is %(limit)d."), length=len(text), limit=WARNING_MAX_CHARS),
            field="text", limit=WARNING_MAX_CHARS,
        )
    with transaction.atomic():
        action = _record(moderator, ModerationAction.Kind.WARN, user=user, report=report, note=text)
        stream_append([(user.pk, *events.account_warned(message=text))])
    return action


def moderation_suspend(*, moderator, user, report: Report | None = None, note: str = "") -> bool:
    """Deactivate `user`'s account; return whether it was active.

    Their requests are refused from now on (parley.core.active), and their open sockets are
    closed on every process after commit (parley.stream.receivers, on the is_active change).
    """
    require_moderator(moderator)
    if user.pk == moderator.pk:
        raise Forbidden(_("You cannot suspend your own account."))
    with transaction.atomic():
        locked = type(user)._default_manager.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            return False
        locked.is_active = False
        locked.save(update_fields=["is_active"])  # the receivers close the sockets after commit
        user.is_active = False
        _record(moderator, ModerationAction.Kind.SUSPEND, user=locked, report=report, note=note)
    return True


def report_close(*, moderator, report: Report, resolution: str) -> bool:
    """Close an open report with what was decided; return whether it was open."""
    require_moderator(moderator)
    resolution = (resolution or "").strip()
    if not resolution:
        raise Invalid(_("Write the resolution: what was decided, and why."), field="resolution")
    with transaction.atomic():
        closed = Report.objects.filter(pk=report.pk, status=Report.Status.OPEN).update(
            status=Report.Status.CLOSED, resolution=resolution, closed_at=timezone.now(), closed_by_id=moderator.pk,
        )
        if closed:
            _record(moderator, ModerationAction.Kind.CLOSE_REPORT, user=report.reported_user, report=report, note=resolution)
    report.refresh_from_db()
    return bool(closed)

"""Reports: a user tells the moderators about a message or a person. The reported side is never told."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parley.conf import settings
from parley.conversations.models import Conversation
from parley.conversations.text import FORBIDDEN
from parley.core.active import require_active
from parley.core.errors import Invalid, lazy_format
from parley.core.ratelimit import rate_limit_many

from ..models import Report

NOTE_MAX_CHARS = 1000
_TOO_MANY = _("You have sent many reports in a short time. Try again in %(seconds)d s.")


def report_create(*, reporter, conversation, message=None, reason: str, note: str = "") -> tuple[Report, bool]:
    """File a report; return it and whether it is new.

    Caller checked access (access.report_target_for). Reporting the same message (or the same
    conversation) again while the first report is open returns that one, and is not counted
    against the rate (PARLEY_REPORT_RATE). No event: the reported user is never told.
    """
    require_active(reporter)
    reason = _clean_reason(reason)
    note = _clean_note(note)
    existing = _open_report(reporter, conversation, message)
    if existing is not None:
        return existing, False
    (refused,) = rate_limit_many([f"report:{reporter.pk}"], rate=settings.PARLEY_REPORT_RATE, message=_TOO_MANY)
    if refused:
        raise refused
    with transaction.atomic():
        # One report per target at a time: a double click waits here, then finds the first.
        Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
        existing = _open_report(reporter, conversation, message)
        if existing is not None:
            return existing, False
        reported_id = message.sender_id if message is not None else conversation.other_user_id(reporter.pk)
        report = Report.objects.create(
            reporter_id=reporter.pk, reported_user_id=reported_id, conversation_id=conversation.pk,
            message_id=message.pk if message is not None else None, reason=reason, note=note,
        )
    return report, True


def _open_report(reporter, conversation, message) -> Report | None:
    return Report.objects.filter(
        reporter_id=reporter.pk, conversation_id=conversation.pk,
        message_id=message.pk if message is not None else None, status=Report.Status.OPEN,
    ).first()


def _clean_reason(reason) -> str:
    if reason not in Report.Reason.values:
        raise Invalid(
            lazy_format(_("Choose a reason: one of %(choices)s."), choices=", ".join(Report.Reason.values)),
            field="reason", choices=list(Report.Reason.values),
        )
    return reason


def _clean_note(note) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise Invalid(_("The note must be text."), field="note")
    note = note.replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise Invalid(
            lazy_format(_("The note is %(length)d characters long; the limit is %(limit)d."), length=len(note), limit=NOTE_MAX_CHARS),
            field="note", limit=NOTE_MAX_CHARS,
        )
    if FORBIDDEN.search(note):
        raise Invalid(_("The note contains a control character that cannot be sent."), field="note")
    return note

"""Send one claimed notice: check everything again just before, then email (or record why not)."""

import logging
import smtplib

import orjson
from django.contrib.auth import get_user_model
from django.db.models import F

from parley.conversations import policy
from parley.conversations.selectors import unread_messages_for

from ..models import Notice, PushSubscription
from . import clock
from .address import address_for
from .ladder import notice_claim, notice_finish, notice_retry
from .mail import local_time, reminder_email, unread_email
from .preferences import muted, quiet_until, settings_for
from .push import deliver
from .reminders import meetup_at

logger = logging.getLogger("parley.notifications")
Status, Reason = Notice.Status, Notice.Reason


def notice_attempt(notice_id) -> Notice | None:
    """Claim a due notice and send it once, or record why it was not sent; None if not claimed."""
    now = clock()
    notice = notice_claim(notice_id, now)
    if notice is None:
        return None
    try:
        if notice.kind == Notice.Kind.MEETUP:
            return _reminder(notice, now)
        return _push(notice, now) if notice.channel == Notice.Channel.PUSH else _email(notice, now)
    except Exception as e:  # never let one notice break the worker; it stays claimed, so never sent twice
        logger.exception("notification %s failed unexpectedly", notice.pk)
        return notice_finish(notice, status=Status.FAILED, reason=Reason.INTERRUPTED, now=clock(),
                             last_error=f"unexpected error: {type(e).__name__}")


def _why_not(notice: Notice, user, row, now) -> str | None:
    """The reason this notice must not go out now, or None."""
    if user is None or not user.is_active:
        return Reason.INACTIVE
    if notice.channel == Notice.Channel.PUSH:
        if not row.push:
            return Reason.CHANNEL_OFF
    elif not row.email:
        return Reason.UNSUBSCRIBED if row.unsubscribed_at else Reason.CHANNEL_OFF
    elif address_for(user, row) is None:
        return Reason.NO_ADDRESS
    if muted(user_id=user.pk, conversation_id=notice.conversation_id, now=now):
        return Reason.MUTED
    return None


def _still_unread(notice: Notice, user) -> tuple[dict | None, list[dict], str | None]:
    """(summary, the unread messages whose senders may reach the user, or why there are none)."""
    summary, unread = unread_messages_for(user_id=user.pk, conversation_id=notice.conversation_id)
    if summary is None or not unread:
        return summary, [], Reason.READ
    refused = policy.refused_pairs({(m["sender_id"], user.pk) for m in unread})
    unread = [m for m in unread if (m["sender_id"], user.pk) not in refused]
    return summary, unread, (None if unread else Reason.BLOCKED)


def _email(notice: Notice, now) -> Notice:
    user = get_user_model().objects.filter(pk=notice.user_id).first()
    row = settings_for(user_id=notice.user_id)
    reason = _why_not(notice, user, row, now)
    if reason:
        return notice_finish(notice, status=Status.CANCELLED, reason=reason, now=now)
    if (quiet_end := quiet_until(row, now)) is not None:
        return notice_retry(notice, error="", now=now, at=quiet_end, reason=Reason.QUIET)
    summary, unread, reason = _still_unread(notice, user)
    if reason:
        return notice_finish(notice, status=Status.CANCELLED, reason=reason, now=now)
    address = address_for(user, row)
    message = unread_email(user=user, row=row, address=address, summary=summary, messages=unread)
    return _send_email(notice, message, address, messages=len(unread), last_seq=max(notice.last_seq, unread[-1]["seq"]))


def _send_email(notice: Notice, message, address: str, **sent) -> Notice:
    """Hand one email to the SMTP server and record what became of it: sent (with `sent`'s
    fields), refused for good (5xx, a bad address), or to retry (down, timed out, 4xx)."""
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as e:
        return notice_finish(notice, status=Status.FAILED, reason=Reason.REFUSED, now=clock(), address=address,
                             last_error=_smtp_error(e))
    except smtplib.SMTPResponseException as e:
        if 500 <= e.smtp_code < 600:
            return notice_finish(notice, status=Status.FAILED, reason=Reason.REFUSED, now=clock(), address=address,
                                 last_error=_smtp_error(e))
        return notice_retry(notice, error=_smtp_error(e), now=clock())
    except (OSError, smtplib.SMTPException) as e:  # unreachable, timed out, disconnected: nothing was accepted
        logger.info("notification %s: email not sent, will retry (%s)", notice.pk, e)
        return notice_retry(notice, error=_smtp_error(e), now=clock())
    return notice_finish(notice, status=Status.SENT, reason=Reason.SENT, now=clock(), address=address, **sent)


def _reminder(notice: Notice, now) -> Notice:
    """A meet-up reminder: the same checks as for messages, then "seen" means a Parley tab of the
    user was visible since the reminder went live; never after the meet-up's time."""
    user = get_user_model().objects.filter(pk=notice.user_id).first()
    row = settings_for(user_id=notice.user_id)
    reason = _why_not(notice, user, row, now)
    if reason:
        return notice_finish(notice, status=Status.CANCELLED, reason=reason, now=now)
    at = meetup_at(notice)
    if now >= at:
        return notice_finish(notice, status=Status.CANCELLED, reason=Reason.PASSED, now=now)
    if (quiet_end := quiet_until(row, now)) is not None:
        if notice.channel == Notice.Channel.EMAIL and quiet_end < at:
            return notice_retry(notice, error="", now=now, at=quiet_end, reason=Reason.QUIET)
        return notice_finish(notice, status=Status.CANCELLED, reason=Reason.QUIET, now=now)
    if row.tab_visible_until is not None and row.tab_visible_until > notice.created_at:
        return notice_finish(notice, status=Status.CANCELLED, reason=Reason.VISIBLE, now=now)
    summary, _unread = unread_messages_for(user_id=user.pk, conversation_id=notice.conversation_id, limit=0)
    if summary is None:
        return notice_finish(notice, status=Status.CANCELLED, reason=Reason.LEFT, now=now)
    if policy.refused_pairs({(summary["other"]["id"], user.pk)}):
        return notice_finish(notice, status=Status.CANCELLED, reason=Reason.BLOCKED, now=now)
    if notice.channel == Notice.Channel.PUSH:
        return _push_devices(notice, user, reminder_push_payload(summary, notice.detail, row), 0, now)
    address = address_for(user, row)
    message = reminder_email(user=user, row=row, address=address, summary=summary, meetup=notice.detail, at=at)
    return _send_email(notice, message, address)


def _smtp_error(e: Exception) -> str:
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {msg!r}" for rcpt, (code, msg) in e.recipients.items())
    if isinstance(e, smtplib.SMTPResponseException):
        return f"SMTP {e.smtp_code}: {e.smtp_error!r}"
    return f"{type(e).__name__}: {e}"


def _push(notice: Notice, now) -> Notice:
    """Push to every device of the user, unless a tab is visible; each device at most once."""
    user = get_user_model().objects.filter(pk=notice.user_id).first()
    row = settings_for(user_id=notice.user_id)
    reason = _why_not(notice, user, row, now)
    if reason:
        return notice_finish(notice, status=Status.CANCELLED, reason=reason, now=now)
    if quiet_until(row, now) is not None:  # what is still unread then goes into the email
        return notice_finish(notice, status=Status.CANCELLED, reason=Reason.QUIET, now=now)
    summary, unread, reason = _still_unread(notice, user)
    if reason:
        return notice_finish(notice, status=Status.CANCELLED, reason=reason, now=now)
    if row.tab_visible_until is not None and row.tab_visible_until > now:
        return notice_finish(notice, status=Status.CANCELLED, reason=Reason.VISIBLE, now=now)
    return _push_devices(notice, user, push_payload(summary, unread), len(unread), now)


def _push_devices(notice: Notice, user, payload: str, count: int, now) -> Notice:
    """Push `payload` to every device of the user not reached yet by this notice; record the outcome."""
    devices = [d for d in PushSubscription.objects.filter(user_id=user.pk) if d.pk not in notice.targets_done]
    if not devices and not notice.targets_done:
        return notice_finish(notice, status=Status.CANCELLED, reason=Reason.NO_DEVICE, now=now)
    errors, gone, reached = [], 0, bool(notice.targets_done)
    for device in devices:
        outcome, error = deliver(device, payload)
        if outcome == "ok":
            reached = True
            notice.targets_done.append(device.pk)
            PushSubscription.objects.filter(pk=device.pk).update(last_success_at=clock(), failures=0, last_error="")
        elif outcome == "gone":
            gone += 1
            device.delete()  # the push service forgot it: so do we
        else:
            PushSubscription.objects.filter(pk=device.pk).update(failures=F("failures") + 1, last_error=error[:500])
            if outcome == "bad":  # reported in the admin, never retried
                notice.targets_done.append(device.pk)
            else:
                errors.append(error)
    if errors:
        return notice_retry(notice, error="; ".join(errors), now=clock())
    if not reached:
        return notice_finish(notice, status=Status.FAILED, reason=Reason.GONE if gone else Reason.REFUSED, now=clock(),
                             targets_done=notice.targets_done, messages=count)
    return notice_finish(notice, status=Status.SENT, reason=Reason.SENT, now=clock(),
                         targets_done=notice.targets_done, messages=count)


def push_payload(summary: dict, unread: list[dict]) -> str:
    """What the browser notification says (sender, item, start of the last message) and where a click goes."""
    latest = unread[-1]
    item = summary["listing"]["title"]
    body = latest["body"].replace("\n", " ").strip()
    body = body if len(body) <= 120 else body[:119].rstrip() + "\u2026"
    return orjson.dumps({
        "title": summary["other"]["name"],
        "body": f"{item} \u2014 {body}",
        "url": f"/messages/{summary['id']}/",
        "tag": f"parley-conversation-{summary['id']}",
    }).decode()


def reminder_push_payload(summary: dict, meetup: dict, row) -> str:
    """The reminder's browser notification: in an hour, where, with whom; a click opens the conversation."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    from .mail import language_of

    with translation.override(language_of(row)):
        title = _("Meet-up with %(name)s at %(time)s") % {
            "name": summary["other"]["name"], "time": local_time(meetup["at"], row, time_only=True)}
        body = f"{summary['listing']['title']} \u2014 {meetup['place']}"
    return orjson.dumps({
        "title": title,
        "body": body,
        "url": f"/messages/{summary['id']}/",
        "tag": f"parley-meetup-{summary['id']}",
    }).decode()

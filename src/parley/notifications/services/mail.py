"""The emails: built in the recipient's language, with an HTML and a text part."""

import zoneinfo
from datetime import datetime
from urllib.parse import quote

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from parley.conf import settings

from ..tokens import confirm_token, unsubscribe_token

EXCERPT = 500  # characters of each message shown in an email


def site_url(path: str) -> str:
    return settings.PARLEY_SITE_URL.rstrip("/") + path


def _language(row) -> str:
    return row.language or settings.LANGUAGE_CODE


language_of = _language


def local_time(at: str | datetime, row, *, time_only: bool = False) -> str:
    """An ISO time (or datetime) in the user's time zone, formatted for the active language."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at.replace("Z", "+00:00"))
    local = at.astimezone(zoneinfo.ZoneInfo(row.time_zone or "UTC"))
    if time_only:
        return date_format(local, "TIME_FORMAT")
    return f"{date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def unread_email(*, user, row, address: str, summary: dict, messages: list[dict]) -> EmailMultiAlternatives:
    """One email for one conversation, listing every message still unread there."""
    with translation.override(_language(row)):
        unsubscribe = site_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(user.pk)]))
        sender = summary["other"]["name"]
        item = summary["listing"]["title"]
        # Two strings rather than ngettext: English and French need only "one" and "more".
        if len(messages) == 1:
            subject = _("New message from %(sender)s about “%(item)s”") % {"sender": sender, "item": item}
        else:
            subject = _("%(count)d new messages from %(sender)s about “%(item)s”") % {
                "sender": sender, "item": item, "count": len(messages)}
        context = {
            "name": user.get_full_name() or user.get_username(),
            "sender": sender,
            "item": item,
            "messages": [{**m, "excerpt": _excerpt(m["body"])} for m in messages],
            "conversation_url": site_url(reverse("conversations:detail", args=[summary["id"]])),
            "settings_url": site_url(reverse("settings")) + "#settings-notifications",
            "unsubscribe_url": unsubscribe,
            "subject": subject,
        }
        text = render_to_string("notifications/email/unread.txt", context)
        html = render_to_string("notifications/email/unread.html", context)
    return _unsubscribable(subject=subject, text=text, html=html, address=address, unsubscribe=unsubscribe)


def _unsubscribable(*, subject: str, text: str, html: str, address: str, unsubscribe: str) -> EmailMultiAlternatives:
    """A notification email: text and HTML parts, and one-click unsubscribe (RFC 8058)."""
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def reminder_email(*, user, row, address: str, summary: dict, meetup: dict, at: datetime) -> EmailMultiAlternatives:
    """The meet-up an hour away: when (in the user's time zone), where, with whom, and a map link."""
    with translation.override(_language(row)):
        unsubscribe = site_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(user.pk)]))
        other, item = summary["other"]["name"], summary["listing"]["title"]
        when = local_time(at, row)
        subject = _("Reminder: meet-up with %(name)s at %(time)s") % {
            "name": other, "time": local_time(at, row, time_only=True)}
        context = {
            "name": user.get_full_name() or user.get_username(),
            "other": other,
            "item": item,
            "when": when,
            "place": meetup["place"],
            "address": meetup["address"],
            "map_url": "https://www.openstreetmap.org/search?query=" + quote(meetup["address"] or meetup["place"]),
            "conversation_url": site_url(reverse("conversations:detail", args=[summary["id"]])),
            "settings_url": site_url(reverse("settings")) + "#settings-notifications",
            "unsubscribe_url": unsubscribe,
            "subject": subject,
        }
        text = render_to_string("notifications/email/meetup_reminder.txt", context)
        html = render_to_string("notifications/email/meetup_reminder.html", context)
    return _unsubscribable(subject=subject, text=text, html=html, address=address, unsubscribe=unsubscribe)


def confirmation_email(*, user, row, address: str) -> EmailMultiAlternatives:
    """The link that confirms a new address, sent to that address."""
    with translation.override(_language(row)):
        context = {
            "name": user.get_full_name() or user.get_username(),
            "address": address,
            "confirm_url": site_url(reverse("notifications:confirm", args=[confirm_token(user.pk, address)])),
            "subject": _("Confirm your email address for Parley"),
        }
        text = render_to_string("notifications/email/confirm.txt", context)
        html = render_to_string("notifications/email/confirm.html", context)
    message = EmailMultiAlternatives(subject=context["subject"], body=text, to=[address],
                                     headers={"Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    return message


def _excerpt(body: str) -> str:
    return body if len(body) <= EXCERPT else body[: EXCERPT - 1].rstrip() + "\u2026"

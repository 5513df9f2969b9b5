"""An iCalendar (RFC 5545) file for a meet-up: one VEVENT, with a one-hour alarm."""

from datetime import UTC, timedelta

from django.utils.translation import gettext as _

from .models import Meetup


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _stamp(dt) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def meetup_ics(meetup: Meetup, *, host: str) -> str:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Parley//Deals//EN", "CALSCALE:GREGORIAN", "BEGIN:VEVENT",
        f"UID:meetup-{meetup.pk}@{host}",
        f"DTSTAMP:{_stamp(meetup.created_at)}",
        f"DTSTART:{_stamp(meetup.at)}",
        f"DTEND:{_stamp(meetup.at + timedelta(minutes=30))}",
        f"SUMMARY:{_escape(_('Meet-up'))}: {_escape(meetup.place)}",
        f"LOCATION:{_escape(meetup.address or meetup.place)}",
        "BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{_escape(_('Meet-up'))}", "TRIGGER:-PT1H", "END:VALARM",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"

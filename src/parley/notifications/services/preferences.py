"""A user's channels, language, quiet hours and mutes."""

import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parley.core.errors import Invalid
from parley.stream.append import stream_append

from .. import events
from ..models import Mute, NotificationSettings
from . import clock

CHANNELS = ("sound", "browser", "push", "email")
# The conversation menu's choices: seconds, or None for "until I unmute".
MUTE_CHOICES = {"1h": 3600, "8h": 8 * 3600, "forever": None}


def settings_for(*, user_id: int) -> NotificationSettings:
    """The user's settings row, created with the defaults on first use."""
    row, _created = NotificationSettings.objects.get_or_create(user_id=user_id)
    return row


def channels_update(*, user_id: int, channels: dict[str, bool]) -> NotificationSettings:
    """Switch channels on or off; switching email on undoes a one-click unsubscribe."""
    row = settings_for(user_id=user_id)
    fields = []
    for name in CHANNELS:
        if name in channels:
            setattr(row, name, bool(channels[name]))
            fields.append(name)
    if channels.get("email"):
        row.unsubscribed_at = None
        fields.append("unsubscribed_at")
    row.save(update_fields=fields)
    return row


def language_remember(*, user_id: int, language: str) -> None:
    """Remember the language the user last used, for their emails."""
    NotificationSettings.objects.update_or_create(user_id=user_id, defaults={"language": language[:10]})


def quiet_hours_update(*, user_id: int, start: str, end: str, time_zone: str) -> NotificationSettings:
    """Set quiet hours (HH:MM, both or neither) in an IANA time zone."""
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise Invalid(_("Unknown time zone. Choose one from the list."), field="time_zone") from None
    parsed = []
    for value in (start.strip(), end.strip()):
        if not value:
            parsed.append(None)
            continue
        try:
            parsed.append(time.fromisoformat(value).replace(second=0, microsecond=0))
        except ValueError:
            raise Invalid(_("Enter times as HH:MM, for example 22:00."), field="quiet_hours") from None
    if (parsed[0] is None) != (parsed[1] is None) or (parsed[0] is not None and parsed[0] == parsed[1]):
        raise Invalid(_("Give quiet hours a start and a different end, or leave both empty."), field="quiet_hours")
    row = settings_for(user_id=user_id)
    row.quiet_start, row.quiet_end, row.time_zone = parsed[0], parsed[1], time_zone
    row.save(update_fields=["quiet_start", "quiet_end", "time_zone"])
    return row


def quiet_until(row: NotificationSettings, now: datetime) -> datetime | None:
    """When the quiet hours that `now` falls in end, or None outside quiet hours."""
    if row.quiet_start is None or row.quiet_end is None:
        return None
    tz = zoneinfo.ZoneInfo(row.time_zone or "UTC")
    local = now.astimezone(tz)
    start, end, t = row.quiet_start, row.quiet_end, local.time()
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    end_day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=tz)


def mute_set(*, user_id: int, conversation_id: int, duration: str) -> Mute:
    """Mute a conversation for 1 hour, 8 hours, or until unmuted. Caller checked access.

    Every tab and device of the user hears of it (`conversation.muted`) and stops ringing.
    """
    if duration not in MUTE_CHOICES:
        raise Invalid(_("Choose how long to mute: 1 hour, 8 hours or until you unmute."), field="duration")
    seconds = MUTE_CHOICES[duration]
    until = clock() + timedelta(seconds=seconds) if seconds else None
    with transaction.atomic():
        mute, _created = Mute.objects.update_or_create(user_id=user_id, conversation_id=conversation_id,
                                                      defaults={"until": until})
        stream_append([(user_id, *events.conversation_muted(conversation_id=conversation_id, until=_iso(until)))])
    return mute


def mute_clear(*, user_id: int, conversation_id: int) -> bool:
    """Unmute a conversation; return whether it was muted. Caller checked access.

    Unmuting what was not muted (a retry) changes nothing and tells no one.
    """
    with transaction.atomic():
        deleted = Mute.objects.filter(user_id=user_id, conversation_id=conversation_id).delete()[0] > 0
        if deleted:
            stream_append([(user_id, *events.conversation_unmuted(conversation_id=conversation_id))])
    return deleted


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


def mute_state(*, user_id: int, conversation_id: int) -> dict:
    """{"muted": bool, "until": datetime | None} for the conversation's menu."""
    mute = Mute.objects.filter(user_id=user_id, conversation_id=conversation_id).first()
    if mute is None or (mute.until is not None and mute.until <= clock()):
        return {"muted": False, "until": None}
    return {"muted": True, "until": mute.until}


def muted(*, user_id: int, conversation_id: int, now: datetime) -> bool:
    return Mute.objects.filter(user_id=user_id, conversation_id=conversation_id).exclude(until__lte=now).exists()


def muted_conversations(*, user_id: int, now: datetime) -> dict[int, datetime | None]:
    """{conversation id: muted until (None: until unmuted)} for the mutes in force now."""
    return dict(Mute.objects.filter(user_id=user_id).exclude(until__lte=now).values_list("conversation_id", "until"))


def settings_update(*, user_id: int, channels: dict[str, bool] | None = None,
                    quiet_hours: dict[str, str | None] | None = None) -> NotificationSettings:
    """Change channels and quiet hours together, all or nothing (the API's PATCH).

    `quiet_hours` may hold "start", "end" (HH:MM, or None for none) and "time_zone"; a key left
    out keeps its value.
    """
    with transaction.atomic():
        if channels:
            channels_update(user_id=user_id, channels=channels)
        if quiet_hours is not None:
            row = settings_for(user_id=user_id)
            current = {"start": hhmm(row.quiet_start), "end": hhmm(row.quiet_end), "time_zone": row.time_zone}
            merged = {**current, **quiet_hours}
            quiet_hours_update(user_id=user_id, start=merged["start"] or "", end=merged["end"] or "",
                               time_zone=merged["time_zone"] or "UTC")
        return settings_for(user_id=user_id)


def hhmm(t: time | None) -> str | None:
    return t.strftime("%H:%M") if t else None

"""/api/v1/ notification endpoints (parley.notifications), for apps and other clients: the
VAPID key and this user's push subscriptions, the per-channel switches and quiet hours, and a
conversation's mute. Thin over the services the settings page and the conversation menu use."""

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel, StrictBool

from parley.conversations.access import conversation_for
from parley.conversations.serializers import iso
from parley.core.schemas import Wire
from parley.notifications.access import push_subscription_for
from parley.notifications.services import preferences, push

from .schemas import ERRORS

router = Router(tags=["notifications"])

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class PushKeyOut(Wire):
    application_server_key: str | None = Field(
        description="The VAPID public key (base64url, an uncompressed P-256 point) to pass to "
        "pushManager.subscribe as applicationServerKey; null when this server has no push.")


# Nested bodies are plain pydantic models: django-ninja's Schema reads attributes off any
# value, so `"channels": 3` would pass as an empty object.
class PushKeysIn(BaseModel):
    p256dh: str = Field(..., max_length=200, description="The device's public key, base64url (65 bytes).")
    auth: str = Field(..., max_length=100, description="The device's auth secret, base64url (16 bytes).")


class PushSubscriptionIn(Schema):
    """The browser's PushSubscription.toJSON() (`expirationTime` and other keys are ignored)."""

    endpoint: str = Field(..., max_length=1000, description="The push service's URL for this device: https, on a public address.")
    keys: PushKeysIn


class PushSubscriptionOut(Wire):
    id: int
    endpoint: str
    user_agent: str = Field(description="The browser that subscribed, as it said.")
    created_at: str = Field(description="ISO 8601, UTC.")
    last_success_at: str | None = Field(description="When a push last reached it (ISO 8601, UTC), or null.")


class PushSubscriptionEnvelope(Wire):
    subscription: PushSubscriptionOut


class PushSubscriptionListOut(Wire):
    subscriptions: list[PushSubscriptionOut] = Field(description="Oldest first.")


class ChannelsOut(Wire):
    sound: bool = Field(description="A short sound in an open tab.")
    browser: bool = Field(description="A browser notification when the tab is hidden.")
    push: bool = Field(description="Web Push to subscribed devices when no tab is visible.")
    email: bool = Field(description="An email when messages stay unread.")


class QuietHoursOut(Wire):
    start: str | None = Field(description="HH:MM in `time_zone`, or null: no quiet hours.")
    end: str | None = Field(description="HH:MM in `time_zone`, or null: no quiet hours.")
    time_zone: str = Field(description="An IANA time zone, e.g. Europe/Paris.")


class NotificationSettingsOut(Wire):
    channels: ChannelsOut
    quiet_hours: QuietHoursOut
    email_unsubscribed: bool = Field(description="One-click unsubscribe was used; switching `email` on undoes it.")


class ChannelsIn(BaseModel):
    sound: StrictBool | None = None
    browser: StrictBool | None = None
    push: StrictBool | None = None
    email: StrictBool | None = Field(None, description="true also undoes a one-click unsubscribe.")


class QuietHoursIn(BaseModel):
    start: str | None = Field(None, max_length=5, description="HH:MM, or null for none (then `end` must be null too).")
    end: str | None = Field(None, max_length=5, description="HH:MM, or null for none.")
    time_zone: str | None = Field(None, max_length=64, description="An IANA time zone; null keeps the current one.")


class NotificationSettingsIn(Schema):
    channels: ChannelsIn | None = Field(None, description="Only the switches given change.")
    quiet_hours: QuietHoursIn | None = Field(None, description="Keys left out keep their value.")


class MuteIn(Schema):
    for_: Literal["1h", "8h", "forever"] = Field(..., alias="for", description="1 hour, 8 hours, or until unmuted.")


class MuteOut(Wire):
    conversation_id: int
    muted: bool
    until: str | None = Field(description="When the mute ends (ISO 8601, UTC); null while muted means until unmuted.")


def _subscription_dict(sub) -> dict:
    return {"id": sub.pk, "endpoint": sub.endpoint, "user_agent": sub.user_agent, "created_at": iso(sub.created_at),
            "last_success_at": iso(sub.last_success_at)}


def _settings_dict(row) -> dict:
    return {
        "channels": {name: getattr(row, name) for name in preferences.CHANNELS},
        "quiet_hours": {"start": preferences.hhmm(row.quiet_start), "end": preferences.hhmm(row.quiet_end),
                        "time_zone": row.time_zone},
        "email_unsubscribed": row.unsubscribed_at is not None,
    }


@router.get("/push/key", response={200: PushKeyOut, **ERRORS})
def push_key(request: HttpRequest):
    """The VAPID public key a device subscribes with."""
    return {"application_server_key": push.push_public_key() or None}


@router.get("/push/subscriptions", response={200: PushSubscriptionListOut, **ERRORS})
def push_subscription_list(request: HttpRequest):
    """The user's devices subscribed to Web Push."""
    return {"subscriptions": [_subscription_dict(s) for s in push.push_subscriptions_for(user=request.user)]}


@router.post("/push/subscriptions", response={200: PushSubscriptionEnvelope, 201: PushSubscriptionEnvelope, **ERRORS})
def push_subscription_create(request: HttpRequest, payload: PushSubscriptionIn):
    """Subscribe this device: 201 when new, 200 for an endpoint already known (its keys are
    updated). 422 `bad_subscription` for an endpoint that is not https on a public address or
    keys that do not decode; 422 `push_unavailable` when the server has no VAPID keys."""
    sub, created = push.push_subscribe(user=request.user, endpoint=payload.endpoint, p256dh=payload.keys.p256dh,
                                       auth=payload.keys.auth, user_agent=request.headers.get("User-Agent", ""))
    return Status(201 if created else 200, {"subscription": _subscription_dict(sub)})


@router.delete("/push/subscriptions/{int:subscription_id}", response={204: None, **ERRORS})
def push_subscription_delete(request: HttpRequest, subscription_id: int):
    """Stop pushing to a device: 204; 404 for someone else's or a missing one."""
    sub = push_subscription_for(request.user, subscription_id)
    push.push_subscription_delete(subscription=sub)
    return Status(204, None)


@router.get("/me/notifications", response={200: NotificationSettingsOut, **ERRORS})
def notification_settings(request: HttpRequest):
    """The user's notification channels and quiet hours, as the settings page shows them."""
    return _settings_dict(preferences.settings_for(user_id=request.user.pk))


@router.patch("/me/notifications", response={200: NotificationSettingsOut, **ERRORS})
def notification_settings_update(request: HttpRequest, payload: NotificationSettingsIn):
    """Change channels and quiet hours, all or nothing: 422 `invalid` (with `details.field`)
    for an unknown time zone, a time not HH:MM, or quiet hours with one end only or none."""
    channels = payload.channels.model_dump(exclude_none=True) if payload.channels else None
    quiet = payload.quiet_hours.model_dump(exclude_unset=True) if payload.quiet_hours else None
    if quiet is not None and quiet.get("time_zone", "") is None:
        quiet.pop("time_zone")
    row = preferences.settings_update(user_id=request.user.pk, channels=channels, quiet_hours=quiet)
    return _settings_dict(row)


@router.put("/conversations/{int:conversation_id}/mute", response={200: MuteOut, **ERRORS})
def mute_put(request: HttpRequest, conversation_id: int, payload: MuteIn):
    """Mute the conversation's notifications (sound, browser, push, email) for 1 hour, 8 hours
    or until unmuted. Every tab and device of the user hears `conversation.muted`."""
    conversation = conversation_for(request.user, conversation_id)
    mute = preferences.mute_set(user_id=request.user.pk, conversation_id=conversation.pk, duration=payload.for_)
    return {"conversation_id": conversation.pk, "muted": True, "until": iso(mute.until)}


@router.delete("/conversations/{int:conversation_id}/mute", response={200: MuteOut, **ERRORS})
def mute_delete(request: HttpRequest, conversation_id: int):
    """Unmute (also when it was not muted: a retry). Every tab and device hears `conversation.unmuted`."""
    conversation = conversation_for(request.user, conversation_id)
    preferences.mute_clear(user_id=request.user.pk, conversation_id=conversation.pk)
    return {"conversation_id": conversation.pk, "muted": False, "until": None}

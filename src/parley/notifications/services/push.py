"""Web Push: devices subscribe with VAPID; a push carries what the browser notification says
and no more, encrypted for the device (RFC 8291, by pywebpush)."""

import base64
import ipaddress
import logging
import socket
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parley.conf import settings
from parley.core.errors import Invalid

from ..models import NotificationSettings, PushSubscription
from . import clock

logger = logging.getLogger("parley.notifications")

# A tab that said "visible" counts as visible this long; the client repeats it while visible.
VISIBLE_FOR = timedelta(seconds=60)
# Rewrite the row only when less than this is left, so a visible tab writes at most twice a minute.
VISIBLE_REFRESH = timedelta(seconds=30)


def push_configured() -> bool:
    return bool(settings.PARLEY_VAPID_PRIVATE_KEY and settings.PARLEY_VAPID_PUBLIC_KEY)


def push_public_key() -> str:
    """The applicationServerKey browsers subscribe with ("" when push is not set up)."""
    return settings.PARLEY_VAPID_PUBLIC_KEY if push_configured() else ""


def generate_vapid_keys() -> dict:
    """A new VAPID key pair: {"private": raw 32 bytes, "public": uncompressed point}, base64url."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"private": b64(private), "public": b64(public)}


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class BadSubscription(Invalid):
    code = "bad_subscription"
    message = _("This browser gave a push subscription Parley cannot use.")


def check_endpoint(url: str) -> str:
    """An https push service on a public address (or anything local when PARLEY_PUSH_ALLOW_PRIVATE)."""
    parts = urlsplit(url or "")
    if settings.PARLEY_PUSH_ALLOW_PRIVATE:
        if parts.scheme in ("http", "https") and parts.hostname:
            return url
        raise BadSubscription(field="endpoint")
    if parts.scheme != "https" or not parts.hostname:
        raise BadSubscription(field="endpoint")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise BadSubscription(field="endpoint") from None
    if not infos or any(not ipaddress.ip_address(info[4][0].split("%")[0]).is_global for info in infos):
        raise BadSubscription(field="endpoint")
    return url


def push_subscribe(*, user, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> tuple[PushSubscription, bool]:
    """Remember this device for the user; return it and whether it is new.

    The same endpoint again updates its keys (a retry, or the browser renewed them); a device
    that changed hands moves to the new user.
    """
    if not push_configured():
        raise Invalid(_("Push is not set up on this server."), code="push_unavailable")
    check_endpoint(endpoint)
    for value, size in ((p256dh, 65), (auth, 16)):
        try:
            if len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))) != size:
                raise ValueError
        except (ValueError, TypeError):
            raise BadSubscription(field="keys") from None
    with transaction.atomic():
        sub, created = PushSubscription.objects.update_or_create(
            endpoint=endpoint,
            defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300],
                      "failures": 0, "last_error": ""},
        )
    return sub, created


def push_unsubscribe(*, user, endpoint: str) -> bool:
    return PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()[0] > 0


def push_subscriptions_for(*, user) -> list[PushSubscription]:
    """The user's devices subscribed to push, oldest first."""
    return list(PushSubscription.objects.filter(user=user).order_by("created_at", "pk"))


def push_subscription_delete(*, subscription: PushSubscription) -> None:
    """Stop pushing to this device. Caller checked access (push_subscription_for)."""
    subscription.delete()


def visibility_report(*, user_id: int, visible: bool) -> None:
    """A tab became visible (and says so again while it is) or hidden: push waits while one is."""
    now = clock()
    if visible:
        NotificationSettings.objects.get_or_create(user_id=user_id)
        NotificationSettings.objects.filter(user_id=user_id).exclude(
            tab_visible_until__gt=now + VISIBLE_REFRESH).update(tab_visible_until=now + VISIBLE_FOR)
    else:
        NotificationSettings.objects.filter(user_id=user_id, tab_visible_until__gt=now).update(tab_visible_until=now)


def deliver(sub: PushSubscription, payload: str) -> tuple[str, str]:
    """Push once to one device: ("ok" | "gone" | "bad" | "retry", what went wrong)."""
    from pywebpush import WebPushException, webpush

    try:
        response = webpush(
            subscription_info=sub.info(), data=payload,
            vapid_private_key=settings.PARLEY_VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.PARLEY_VAPID_SUBJECT},
            ttl=24 * 3600, timeout=settings.PARLEY_PUSH_TIMEOUT,
        )
    except WebPushException as e:
        code = e.response.status_code if e.response is not None else None
        if code in (404, 410):
            return "gone", f"HTTP {code}"
        if code is not None and 400 <= code < 500 and code not in (408, 429):
            return "bad", f"HTTP {code}: {(e.response.text or '')[:200]}"
        return "retry", f"HTTP {code}" if code else str(e)[:300]
    except OSError as e:  # requests' connection errors are OSErrors: the push service is unreachable
        return "retry", f"{type(e).__name__}: {e}"[:300]
    return "ok", f"HTTP {getattr(response, 'status_code', '')}"

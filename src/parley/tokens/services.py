"""App tokens: a short-lived access token and a rotating refresh token per signed-in device.

- `token_issue` signs a device in (after `throttle.authenticate_throttled`) and returns its
  first pair. `token_refresh` trades a refresh token for a new pair, once: a refresh token
  presented a second time was copied, so the whole device (its token family) is revoked.
- Tokens are random (`secrets.token_urlsafe`, 256 bits) and stored as their SHA-256 only; a
  database leak gives no usable token. The prefix `plt_` lets secret scanners spot them.
- `user_for_token` is the one check every transport uses (the API's Bearer auth, the
  WebSocket handshake): the token is known, an access token, not expired, its device not
  revoked, its user active and its password unchanged since the device signed in.
- Revoking a device closes its sockets in every process, like logging out a session: the
  sockets of a device carry the session key `device:<id>` (docs/protocol.md).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from parley.conf import settings
from parley.core.active import require_active
from parley.core.errors import Invalid, Unauthenticated
from parley.core.ids import row_or_not_found
from parley.stream.broker import get_broker

from .models import Device, Token

PREFIX = "plt_"
# Write last_used_at at most this often per device: a busy app must not write on every request.
LAST_USED_EVERY = timedelta(minutes=1)


class TokenInvalid(Unauthenticated):
    code = "invalid_token"
    message = _("This token is not valid: it expired, was revoked, or never existed. Refresh it or log in again.")


@dataclass(frozen=True)
class TokenPair:
    device: Device
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def device_session_key(device_id: int) -> str:
    """What a device's sockets carry as their session key, so a logout control can close them."""
    return f"device:{device_id}"


def _new_pair(device: Device, now) -> TokenPair:
    access, refresh = PREFIX + secrets.token_urlsafe(32), PREFIX + secrets.token_urlsafe(32)
    access_ttl, refresh_ttl = settings.PARLEY_ACCESS_TOKEN_TTL, settings.PARLEY_REFRESH_TOKEN_TTL
    Token.objects.bulk_create([
        Token(device=device, kind=Token.Kind.ACCESS, digest=digest(access), expires_at=now + timedelta(seconds=access_ttl)),
        Token(device=device, kind=Token.Kind.REFRESH, digest=digest(refresh), expires_at=now + timedelta(seconds=refresh_ttl)),
    ])
    return TokenPair(device, access, refresh, access_ttl, refresh_ttl)


def token_issue(*, user, device_name: str) -> TokenPair:
    """Sign a new device in for `user` (already authenticated) and return its first tokens."""
    require_active(user)
    name = " ".join(device_name.split())[:100]
    if not name:
        raise Invalid(_("Name the device, for example “Alice's phone”."), field="device_name")
    now = timezone.now()
    with transaction.atomic():
        live = Device.objects.filter(user=user, revoked_at__isnull=True).order_by("-last_used_at", "-created_at")
        # Past the cap, the least recently used devices are signed out rather than refusing a log-in.
        for old in live[settings.PARLEY_MAX_DEVICES - 1:]:
            _revoke(old, now)
        device = Device.objects.create(user=user, name=name, auth_hash=user.get_session_auth_hash(), last_used_at=now)
        return _new_pair(device, now)


def token_refresh(*, refresh_token: str) -> TokenPair:
    """Trade a refresh token for a new pair; a second use of one revokes its whole device."""
    now = timezone.now()
    with transaction.atomic():
        token = (
            Token.objects.select_for_update().select_related("device", "device__user")
            .filter(digest=digest(refresh_token), kind=Token.Kind.REFRESH).first()
        )
        if token is None or not _device_good(token.device) or token.expires_at <= now:
            raise TokenInvalid()
        if token.used_at is not None:
            _revoke(token.device, now)
            # Commit the revocation, then refuse: raising inside the block would roll it back.
            reused = True
        else:
            reused = False
            token.used_at = now
            token.save(update_fields=["used_at"])
            # The old access token ends now; used refresh tokens stay (a second use is detected)
            # until they would have expired anyway.
            Token.objects.filter(device=token.device).filter(
                models.Q(kind=Token.Kind.ACCESS) | models.Q(expires_at__lte=now)).delete()
            Device.objects.filter(pk=token.device.pk).update(last_used_at=now)
            pair = _new_pair(token.device, now)
    if reused:
        raise TokenInvalid(_("This refresh token was already used, so the device was signed out. Log in again."),
                           code="token_reused")
    return pair


def user_for_token(raw: str):
    """Return (user, device) for a good access token, or (None, None)."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 100:
        return None, None
    now = timezone.now()
    token = (
        Token.objects.select_related("device", "device__user")
        .filter(digest=digest(raw), kind=Token.Kind.ACCESS, expires_at__gt=now).first()
    )
    if token is None or not _device_good(token.device):
        return None, None
    device = token.device
    if device.last_used_at is None or now - device.last_used_at > LAST_USED_EVERY:
        Device.objects.filter(pk=device.pk).update(last_used_at=now)
    return device.user, device


def _device_good(device: Device) -> bool:
    user = device.user
    return (
        device.revoked_at is None and user.is_active
        and constant_time_compare(device.auth_hash, user.get_session_auth_hash())
    )


def devices_for(*, user) -> list[Device]:
    """The user's signed-in devices, most recently used first."""
    return list(Device.objects.filter(user=user, revoked_at__isnull=True).order_by("-last_used_at", "-created_at"))


def device_for(user, device_id) -> Device:
    """One of the user's signed-in devices; NotFound for anyone else's, as for a missing one."""
    return row_or_not_found(Device.objects.filter(user=user, revoked_at__isnull=True), device_id, _("No such device."))


def device_revoke(*, device: Device) -> None:
    """Sign a device out: its tokens stop working and its sockets close, in every process."""
    with transaction.atomic():
        _revoke(device, timezone.now())


def _revoke(device: Device, now) -> None:
    Device.objects.filter(pk=device.pk, revoked_at__isnull=True).update(revoked_at=now)
    Token.objects.filter(device=device).delete()
    user_id, key = device.user_id, device_session_key(device.pk)
    transaction.on_commit(lambda: get_broker().publish_control(user_id, {"type": "logout", "session_key": key}))

"""Token authentication for apps: `Authorization: Bearer <access token>` on every endpoint,
and the endpoints that issue, refresh and revoke tokens (parley.tokens.services).

A bearer request needs no CSRF token: a browser never adds the header on its own, so another
site cannot make one. Cookie (session) requests keep Django's CSRF check.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from parley.accounts import throttle
from parley.tokens import services as tokens
from parley.conversations.serializers import iso
from parley.core.errors import Unauthenticated
from parley.core.schemas import Wire

from .schemas import ERRORS


class BearerToken(HttpBearer):
    """The access token of `POST /api/v1/auth/token`; sets request.user as the session would."""

    def authenticate(self, request: HttpRequest, token: str):
        user, device = tokens.user_for_token(token)
        if user is None:
            return None
        request.user, request.parley_device = user, device
        return user


bearer = BearerToken()

auth_router = Router(tags=["auth"], auth=None)
devices_router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=4096)
    device_name: str = Field(..., max_length=100, description="Shown in the user's list of devices, e.g. “Pixel 8”.")


class RefreshIn(Schema):
    refresh_token: str = Field(..., max_length=100)


class DeviceOut(Wire):
    id: int
    name: str
    created_at: str
    last_used_at: str | None


class TokenOut(Wire):
    token_type: str = Field(description="Always `Bearer`.")
    access_token: str = Field(description="Send as `Authorization: Bearer …`; short-lived.")
    expires_in: int = Field(description="Seconds the access token lasts.")
    refresh_token: str = Field(description="Trade it once for a new pair at /auth/refresh.")
    refresh_expires_in: int
    device: DeviceOut


class DeviceListOut(Wire):
    devices: list[DeviceOut] = Field(description="Most recently used first.")


def device_dict(device) -> dict:
    return {"id": device.pk, "name": device.name, "created_at": iso(device.created_at),
            "last_used_at": iso(device.last_used_at)}


def _pair(pair: tokens.TokenPair) -> dict:
    return {"token_type": "Bearer", "access_token": pair.access_token, "expires_in": pair.expires_in,
            "refresh_token": pair.refresh_token, "refresh_expires_in": pair.refresh_expires_in,
            "device": device_dict(pair.device)}


@auth_router.post("/token", response={201: TokenOut, **ERRORS})
def token_create(request: HttpRequest, payload: TokenIn):
    """Log in an app: a username and password give an access and a refresh token for one device.

    Throttled per account and per address, as the log-in form is (429 `rate_limited`).
    """
    user = throttle.authenticate_throttled(request, payload.username, payload.password)
    if user is None:
        raise Unauthenticated(_("The username or the password is wrong."), code="invalid_credentials")
    return Status(201, _pair(tokens.token_issue(user=user, device_name=payload.device_name)))


@auth_router.post("/refresh", response={200: TokenOut, **ERRORS})
def token_refresh(request: HttpRequest, payload: RefreshIn):
    """A new pair for a refresh token, which then stops working. Using one twice signs the
    device out (401 `token_reused`): someone else had a copy."""
    return _pair(tokens.token_refresh(refresh_token=payload.refresh_token))


@devices_router.get("", response={200: DeviceListOut, **ERRORS})
def device_list(request: HttpRequest):
    """The apps signed in to the account."""
    return {"devices": [device_dict(d) for d in tokens.devices_for(user=request.user)]}


@devices_router.delete("/{int:device_id}", response={204: None, **ERRORS})
def device_delete(request: HttpRequest, device_id: int):
    """Sign a device out: its tokens stop working and its sockets close at once."""
    tokens.device_revoke(device=tokens.device_for(request.user, device_id))
    return Status(204, None)

"""Log-in throttling: failed log-ins counted per account and per client address (issue 16, hole 3).

One module for every way in: the log-in form (`ThrottledAuthenticationForm`), the admin's
(`ThrottledAdminAuthenticationForm`, installed by AccountsConfig.ready) and a token endpoint
(`authenticate_throttled`). While an account or an address is throttled, log-in is refused
*before* authenticate(): a refused attempt costs no password hashing (about 1 s of CPU each),
and the right password is refused too, or throttling would be pointless.

Why not django-axes (it installs here): it needs its own model and migrations, an
authentication backend and a middleware in the host project's settings, and one failure limit
for every lock-out parameter. These counters are the fixed windows of parley.core.ratelimit in
the shared cache (Redis with several processes), like every other Parley limit: no table, no
settings beyond the limits, per-account and per-address limits of their own. A fixed window
lets through at most twice the limit around a window's edge; that is still ~40 guesses per
account an hour instead of thousands. A cache outage fails open, as every Parley limit does.

The client address is REMOTE_ADDR. Behind a proxy, uvicorn's --proxy-headers with
--forwarded-allow-ips sets it from X-Forwarded-For (docs/deploy.md); Parley never reads the
header itself, since any client can send one.
"""

import hashlib
import math

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from parley.conf import settings
from parley.core import ratelimit
from parley.core.errors import RateLimited


class LoginThrottled(RateLimited):
    """Too many failed log-ins for this account or from this address."""


def _keys(request, username: str | None) -> list[str]:
    keys = []
    if username:
        # Case-folded, so "Alice" and "alice" share a budget; hashed, so any input is a safe key.
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
        keys.append(f"login:account:{digest}")
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    if address:
        keys.append(f"login:address:{address}")
    return keys


def _limit(key: str) -> int:
    if key.startswith("login:account:"):
        return settings.PARLEY_LOGIN_FAILURES_PER_ACCOUNT
    return settings.PARLEY_LOGIN_FAILURES_PER_ADDRESS


def _rate(key: str) -> str:
    return f"{_limit(key)}/{settings.PARLEY_LOGIN_WINDOW}"


def check(request, username: str | None) -> None:
    """Raise LoginThrottled when the account or the address has used up its failures."""
    keys = _keys(request, username)
    if not keys:
        return
    window = settings.PARLEY_LOGIN_WINDOW
    counts = ratelimit.counts(keys, rate=f"1/{window}")
    if any(counts[key] >= _limit(key) for key in keys):
        seconds = ratelimit.retry_after(window, ratelimit.clock())
        minutes = max(1, math.ceil(seconds / 60))
        if minutes == 1:  # two messages rather than ngettext: the catalogue has no plural forms
            message = _("Too many failed log-ins. Try again in 1 minute.")
        else:
            message = _("Too many failed log-ins. Try again in %(minutes)d minutes.") % {"minutes": minutes}
        raise LoginThrottled(message, retry_after=seconds)


def record_failure(request, username: str | None) -> None:
    """Count one failed log-in against the account and the address."""
    keys = _keys(request, username)
    if keys:
        ratelimit.rate_limit_many(keys, rate=[_rate(key) for key in keys])


def authenticate_throttled(request, username: str, password: str):
    """authenticate(), refused while throttled (LoginThrottled) and counted when it fails.

    For entry points without a form, such as a token endpoint. Returns the user or None.
    """
    check(request, username)
    user = authenticate(request, username=username, password=password)
    if user is None:
        record_failure(request, username)
    return user


class _Throttled:
    """Refuse before authenticate() while throttled; count the attempts that fail."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password"):
            try:
                check(self.request, username)
            except LoginThrottled as exc:
                raise forms.ValidationError(str(exc.message), code="throttled") from None
        try:
            return super().clean()
        except forms.ValidationError as exc:
            if username and any(e.code == "invalid_login" for e in exc.error_list):
                record_failure(self.request, username)
            raise


class ThrottledAuthenticationForm(_Throttled, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(_Throttled, AdminAuthenticationForm):
    pass

"""WebSocket handshake checks: the Origin against the allowed hosts, the user from the session
or from an app's access token."""

from importlib import import_module
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.utils.http import is_same_domain

from django.apps import apps


def header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


class _Handshake(HttpRequest):
    """The handshake seen as Django sees an HTTP request: its Host (ALLOWED_HOSTS,
    USE_X_FORWARDED_HOST) and its scheme (wss is https; SECURE_PROXY_SSL_HEADER)."""

    def __init__(self, scope):
        super().__init__()
        self._scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
        server = scope.get("server") or ("", "")
        self.META = {"SERVER_NAME": str(server[0] or ""), "SERVER_PORT": str(server[1] or "")}
        for key, value in scope.get("headers", ()):
            name = "HTTP_" + key.decode("latin-1").upper().replace("-", "_")
            self.META[name] = value.decode("latin-1") if name not in self.META else self.META[name] + "," + value.decode("latin-1")

    def _get_scheme(self):
        return self._scheme


def origin_allowed(scope) -> bool:
    """Refuse cross-site sockets, as Django's CSRF Origin check does for HTTP: the Origin must
    be the socket's own (scheme, host and port) or one of CSRF_TRUSTED_ORIGINS (wildcards too).

    A client that sends no Origin is not a browser, so it cannot be driven by another site,
    and it still needs the session cookie.
    """
    origin = header(scope, b"origin")
    if origin is None:
        return True
    request = _Handshake(scope)
    try:
        own = "%s://%s" % ("https" if request.is_secure() else "http", request.get_host())
    except DisallowedHost:
        own = None
    if origin == own:
        return True
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if origin in {o for o in trusted if "*" not in o}:
        return True
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    wildcards = (urlsplit(o) for o in trusted if "*" in o)
    return bool(parts.netloc) and any(
        is_same_domain(parts.netloc, w.netloc.lstrip("*")) for w in wildcards if w.scheme == parts.scheme
    )


def session_user(scope):
    """Return (user, session_key) from the Django session cookie, or (None, None)."""
    cookies = parse_cookie(header(scope, b"cookie") or "")
    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return None, None
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore(session_key)
    user = get_user(SimpleNamespace(session=session))
    if not user.is_authenticated:
        return None, None
    return user, session_key


# An app offers the subprotocols "parley.v1" and "parley.bearer.<access token>": a token in the
# handshake's headers, never in its URL (URLs end up in logs). The server answers "parley.v1".
SUBPROTOCOL = "parley.v1"
BEARER_PREFIX = "parley.bearer."


def bearer_token(scope) -> str | None:
    for offered in scope.get("subprotocols") or ():
        if offered.startswith(BEARER_PREFIX):
            return offered[len(BEARER_PREFIX):]
    return None


def accepted_subprotocol(scope) -> str | None:
    """The subprotocol to name in the accept: parley.v1 when the client offered it."""
    return SUBPROTOCOL if SUBPROTOCOL in (scope.get("subprotocols") or ()) else None


def handshake_user(scope):
    """Return (user, session_key): from the access token an app offered, else the session cookie.

    A device's sockets carry the session key `device:<id>`, so revoking the device closes them
    as logging out closes a session's.
    """
    token = bearer_token(scope)
    if token is not None:
        if not apps.is_installed("parley.tokens"):
            return None, None
        from parley.tokens import services as tokens

        user, device = tokens.user_for_token(token)
        return (user, tokens.device_session_key(device.pk)) if user is not None else (None, None)
    return session_user(scope)

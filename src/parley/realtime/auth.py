"""WebSocket handshake checks: the Origin against the allowed hosts, the user from the session."""

from importlib import import_module
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host


def header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def origin_allowed(scope) -> bool:
    """Refuse cross-site sockets. A client that sends no Origin is not a browser, so it
    cannot be driven by another site, and it still needs the session cookie."""
    origin = header(scope, b"origin")
    if origin is None:
        return True
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    host, _port = split_domain_port(parts.netloc)
    return bool(host) and validate_host(host, settings.ALLOWED_HOSTS)


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

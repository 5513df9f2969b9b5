"""Hole 9 (issue 16): the WebSocket Origin check compared hosts only.

It now compares scheme, host and port as Django's CSRF Origin check does: the socket's own
origin (ws is http, wss is https; the Host header, validated against ALLOWED_HOSTS) or one of
CSRF_TRUSTED_ORIGINS, wildcards included. Unit-tested on `origin_allowed` over a matrix, and
end to end over the in-process ASGI harness (refused with 4403).
"""

import pytest

from parley.realtime.auth import origin_allowed
from tests import factories as f
from tests.support.asgi import ASGIHarness, Refused, run


def scope(origin, host="localhost", scheme="ws", extra=()):
    headers = [(b"host", host.encode())] if host is not None else []
    headers += [(k.encode(), v.encode()) for k, v in extra]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers, "server": ("127.0.0.1", 8000)}


@pytest.fixture(autouse=True)
def hosts(settings):
    settings.ALLOWED_HOSTS = ["localhost", "chat.example.com", ".shop.example"]
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.USE_X_FORWARDED_HOST = False
    settings.SECURE_PROXY_SSL_HEADER = None


@pytest.mark.parametrize(("origin", "host", "scheme"), [
    ("http://localhost", "localhost", "ws"),
    ("http://localhost:8000", "localhost:8000", "ws"),
    ("https://chat.example.com", "chat.example.com", "wss"),
    ("https://chat.example.com:8443", "chat.example.com:8443", "wss"),
    ("https://a.shop.example", "a.shop.example", "wss"),
])
def test_the_sockets_own_origin_is_allowed(origin, host, scheme):
    assert origin_allowed(scope(origin, host, scheme))


@pytest.mark.parametrize(("origin", "host", "scheme", "why"), [
    ("https://localhost", "localhost", "ws", "other scheme (https page, ws socket)"),
    ("http://chat.example.com", "chat.example.com", "wss", "other scheme (http page, wss socket)"),
    ("http://localhost:8000", "localhost", "ws", "other port"),
    ("http://localhost", "localhost:8000", "ws", "other port (default vs 8000)"),
    ("https://chat.example.com:444", "chat.example.com", "wss", "other port"),
    ("http://127.0.0.1", "localhost", "ws", "other host, although allowed"),
    ("https://evil.example", "chat.example.com", "wss", "other host"),
    ("https://evil.chat.example.com", "chat.example.com", "wss", "a subdomain"),
    ("https://chat.example.com.evil.example", "chat.example.com", "wss", "a suffix"),
    ("https://b.shop.example", "a.shop.example", "wss", "a sibling subdomain"),
    ("null", "localhost", "ws", "null (sandboxed iframe, file://)"),
    ("file://", "localhost", "ws", "file"),
    ("garbage", "localhost", "ws", "garbage"),
    ("http://[::1", "localhost", "ws", "unparsable"),
    ("", "localhost", "ws", "empty"),
    ("http://localhost", "evil.example", "ws", "a Host outside ALLOWED_HOSTS"),
    ("http://localhost", None, "ws", "no Host"),
    ("ws://localhost", "localhost", "ws", "a ws: origin"),
    ("http://localhost/", "localhost", "ws", "not an origin (a path)"),
])
def test_other_origins_are_refused(origin, host, scheme, why):
    assert not origin_allowed(scope(origin, host, scheme)), why


def test_no_origin_is_not_a_browser_and_passes_to_the_session_check():
    assert origin_allowed(scope(None))


def test_trusted_origins_are_honoured_exactly_and_with_wildcards(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.partner.example", "https://*.trusted.example", "http://localhost:3000"]
    host = "chat.example.com"
    for origin in ("https://app.partner.example", "https://x.trusted.example", "https://a.b.trusted.example",
                   "https://trusted.example", "http://localhost:3000"):
        assert origin_allowed(scope(origin, host, "wss")), origin
    for origin in ("http://app.partner.example", "https://app.partner.example:8443", "http://x.trusted.example",
                   "https://x.trusted.example.evil", "https://eviltrusted.example", "http://localhost:3001", "null"):
        assert not origin_allowed(scope(origin, host, "wss")), origin


def test_the_scheme_behind_a_proxy_follows_secure_proxy_ssl_header(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = [("x-forwarded-proto", "https")]
    assert origin_allowed(scope("https://chat.example.com", "chat.example.com", "ws", proxied))
    assert not origin_allowed(scope("http://chat.example.com", "chat.example.com", "ws", proxied))
    assert not origin_allowed(scope("https://chat.example.com", "chat.example.com", "ws"))


@pytest.mark.django_db(transaction=True)
def test_the_handshake_refuses_other_origins_with_4403(fresh_broker, fresh_batchers):
    bob = f.user("bob")

    async def go():
        async with ASGIHarness() as h:  # its sockets send Host: localhost over ws
            cookie = await h.login(bob)
            for origin in ("https://localhost", "http://localhost:8000", "http://127.0.0.1", "http://sub.localhost", "null"):
                with pytest.raises(Refused) as exc:
                    await h.ws(cookie=cookie, origin=origin)
                assert exc.value.code == 4403, origin
            assert (await h.ws(cookie=cookie, origin="http://localhost")).ready["user_id"] == bob.pk

    run(go())

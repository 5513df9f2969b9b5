"""Hole 6 of issue 16: no path under /static/ escapes the static roots, nor answers 500.

Every spelling of a traversal (encoded dots and slashes, backslashes, doubled slashes, NUL,
absolute paths) is a 404, and every static answer carries `nosniff`. Checked in-process
through the same handler `parley serve` uses, and against a real server process, whose
HTTP parser decodes the path itself.
"""

import asyncio
import http.client
from urllib.parse import unquote

import pytest
from django.core.asgi import get_asgi_application

from parley.core.static import StaticFilesHandler
from parley.realtime.asgi import parley_asgi

# As they go on the wire; uvicorn percent-decodes them into the ASGI path.
TRAVERSALS = [
    "/static/%2e%2e/%2e%2e/settings.py",
    "/static/..%2fparley/settings.py",
    "/static/%2e%2e%2f%2e%2e%2fparley%2fsettings.py",
    "/static/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
    "/static/../../../etc/passwd",
    "/static/parley/../../../../settings.py",
    "/static/parley/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%5c..%5csettings.py",
    "/static/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
    "/static/%252e%252e/%252e%252e/etc/passwd",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/.../.../etc/passwd",
    "/static/parley/css/parley.css%00.txt",
    "/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/static/..",
    "/static/%2e%2e",
]
REAL = "/static/parley/css/parley.css"


async def _get(app, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": unquote(path), "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"localhost")], "client": ("127.0.0.1", 50001), "server": ("127.0.0.1", 80),
    }
    out: list[dict] = []
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        out.append(message)

    await asyncio.wait_for(app(scope, receive, send), 10)
    start = next(m for m in out if m["type"] == "http.response.start")
    return start["status"], {k.lower(): v for k, v in start["headers"]}, b"".join(m.get("body", b"") for m in out[1:])


@pytest.fixture(scope="module")
def app():
    return parley_asgi(StaticFilesHandler(get_asgi_application()))


@pytest.mark.django_db
@pytest.mark.parametrize("path", TRAVERSALS)
def test_inprocess_traversal_is_404_with_nosniff(app, path):
    status, headers, body = asyncio.run(_get(app, path))
    assert status == 404, (path, status, body[:200])
    assert headers.get(b"x-content-type-options") == b"nosniff"
    assert b"Traceback" not in body and b"SECRET_KEY" not in body and b"root:" not in body


@pytest.mark.django_db
def test_inprocess_real_file_is_served_with_nosniff(app):
    status, headers, body = asyncio.run(_get(app, REAL))
    assert status == 200 and body.startswith(b"/*")
    assert headers.get(b"x-content-type-options") == b"nosniff"


def _raw_get(server, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET the path exactly as written: no client-side normalisation of dots or escapes."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def test_live_traversal_is_never_a_500(live_server_proc):
    for path in TRAVERSALS:
        status, headers, body = _raw_get(live_server_proc, path)
        # The server's HTTP parser may refuse some spellings itself (400); none may reach a file or fail.
        assert status in (400, 404), (path, status, body[:200])
        if status == 404:
            assert headers.get("x-content-type-options") == "nosniff", path
        assert b"Traceback" not in body and b"SECRET_KEY" not in body and b"root:" not in body, path


def test_live_real_file_has_nosniff(live_server_proc):
    status, headers, body = _raw_get(live_server_proc, REAL)
    assert status == 200 and headers.get("x-content-type-options") == "nosniff"

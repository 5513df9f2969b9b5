"""A real HTTP receiver on 127.0.0.1 for the webhook tests, and a clock they move."""

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """An http.server in a thread that records every request and answers `status`.

    `start()`/`stop()` open and close the port, so a test can make the receiver go down and
    come back on the same URL.
    """

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks/parley"
        self.status = 200
        self.requests: list[dict] = []
        self._server = None
        self._thread = None

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                if 300 <= receiver.status < 400:
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def down_receiver():
    """A receiver whose port is closed until the test calls start()."""
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def local_hooks(settings):
    """Local receivers allowed (http, 127.0.0.1), as in development; the SSRF tests turn them off."""
    from parley.webhooks.sink import forget_subscriptions

    settings.PARLEY_WEBHOOK_ALLOW_HTTP = True
    settings.PARLEY_WEBHOOK_ALLOW_PRIVATE = True
    forget_subscriptions()
    yield
    forget_subscriptions()


@pytest.fixture
def strict_hooks(settings):
    settings.PARLEY_WEBHOOK_ALLOW_HTTP = False
    settings.PARLEY_WEBHOOK_ALLOW_PRIVATE = False


class HookClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def hook_clock(monkeypatch):
    """The deliveries' clock (parley.webhooks.services.clock), moved by advance(seconds)."""
    from parley.webhooks import services

    clock = HookClock(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(services, "clock", clock)
    return clock


@pytest.fixture
def resolve_as(monkeypatch):
    """Make host names resolve where a test says: resolve_as({"evil.example": ["127.0.0.1"]})."""
    from parley.webhooks import addresses

    table: dict[str, list[str]] = {}

    def fake(host, port):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in table[host]]

    monkeypatch.setattr(addresses, "getaddrinfo", fake)
    return table.update


@pytest.fixture(autouse=True)
def english_afterwards():
    """A French admin page leaves French active on this thread; later tests expect English."""
    from django.utils import translation

    yield
    translation.deactivate()

"""Hole 8 of issue 16: bounded sockets per user, rate-limited `read` and `sync` frames, and a
header-read timeout for `parley serve` without nginx (slowloris)."""

import asyncio
import socket
import time

import orjson
import pytest
import websockets

from tests import factories as f
from tests.support.asgi import ASGIHarness, Closed, run
from tests.support.live import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inprocess(fresh_broker, rate_clock, settings):
    settings.PARLEY_SEND_WRITERS = 1
    return rate_clock


def test_socket_cap_refuses_the_new_socket_with_4429(inprocess, settings):
    settings.PARLEY_WS_MAX_PER_USER = 3

    async def scenario():
        async with ASGIHarness() as h:
            bob, carol = await asyncio.to_thread(f.user), await asyncio.to_thread(f.user)
            cookie = await h.login(bob)
            kept = [await h.ws(cookie=cookie) for _ in range(3)]
            for _ in range(5):  # every socket past the cap, however many are tried
                with pytest.raises(Closed) as closed:  # accepted, then closed: not an HTTP 403
                    await h.ws(cookie=cookie)
                assert closed.value.code == 4429
            # The sockets under the cap still work; another user is not affected.
            for ws in kept:
                assert (await ws.request({"type": "ping"}))["type"] == "pong"
            assert (await h.ws(carol)).ready["type"] == "ready"
            # A closed socket frees its place.
            await kept.pop().close()
            assert (await h.ws(cookie=cookie)).ready["type"] == "ready"

    run(scenario())


def test_socket_cap_holds_under_concurrent_handshakes(inprocess, settings):
    settings.PARLEY_WS_MAX_PER_USER = 4

    async def scenario():
        async with ASGIHarness() as h:
            cookie = await h.login(await asyncio.to_thread(f.user))
            results = await asyncio.gather(*(h.ws(cookie=cookie) for _ in range(12)), return_exceptions=True)
            opened = [r for r in results if not isinstance(r, BaseException)]
            refused = [r for r in results if isinstance(r, Closed)]
            assert len(opened) == 4 and len(refused) == 8, results
            assert {r.code for r in refused} == {4429}

    run(scenario())


def _conversation():
    buyer, seller = f.user(), f.user()
    return buyer, f.conversation(buyer=buyer, seller=seller)


@pytest.mark.parametrize("kind", ["sync", "read"])
def test_read_and_sync_frames_are_rate_limited_per_user(inprocess, settings, kind):
    settings.PARLEY_SYNC_RATE = "5/10"
    settings.PARLEY_READ_RATE = "5/10"
    clock = inprocess

    async def scenario():
        async with ASGIHarness() as h:
            user, conv = await asyncio.to_thread(_conversation)
            other, _ = await asyncio.to_thread(_conversation)
            frame = {"type": "sync", "since": 0} if kind == "sync" else {"type": "read", "conversation_id": conv.pk}
            a, b = await h.ws(user), await h.ws(user)  # the limit is per user, across sockets
            replies = [await (a if i % 2 else b).request(frame) for i in range(8)]
            allowed = [r for r in replies if r["type"] != "error"]
            refused = [r for r in replies if r["type"] == "error"]
            assert len(allowed) == 5 and len(refused) == 3, replies
            for r in refused:
                assert r["code"] == "rate_limited" and r["details"]["retry_after"] >= 1 and r["message"]
            # The socket stays usable, other frames and other users are not limited.
            assert (await a.request({"type": "ping"}))["type"] == "pong"
            o = await h.ws(other)
            other_frame = frame if kind == "sync" else {"type": "sync", "since": 0}
            assert (await o.request(other_frame))["type"] != "error"
            # After the window, the user may again.
            clock.advance(10)
            assert (await a.request(frame))["type"] != "error"

    run(scenario())


def test_sync_rate_limit_applies_to_the_http_fallback_too(inprocess, settings, client):
    settings.PARLEY_SYNC_RATE = "2/10"
    user = f.user()
    client.force_login(user)
    codes = []
    for _ in range(4):
        r = client.post("/api/v1/frames", {"type": "sync", "since": 0}, content_type="application/json")
        codes.append((r.status_code, r.json().get("type") or r.json().get("error", {}).get("code")))
    assert [c for _, c in codes].count("rate_limited") == 2, codes


def test_header_read_timeout_closes_a_slow_client(tmp_path):
    server = LiveServer(workdir=tmp_path, env={"PARLEY_HEADER_TIMEOUT": "1"}).start()
    try:
        idle = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        started = time.monotonic()
        slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for sock in (idle, slow):
            closed_at = None
            deadline = time.monotonic() + 8
            while time.monotonic() < deadline:
                if sock is slow:
                    try:
                        sock.sendall(b"X-Slow: 1\r\n")  # a header line every 0.2 s, never the end
                    except OSError:
                        closed_at = time.monotonic()
                        break
                sock.settimeout(0.2)
                try:
                    if sock.recv(1024) == b"":
                        closed_at = time.monotonic()
                        break
                except TimeoutError:
                    continue
                except OSError:
                    closed_at = time.monotonic()
                    break
            assert closed_at is not None, "the server kept a connection that never finished its headers"
            assert closed_at - started < 5
            sock.close()
        # Requests and an open socket are unaffected, even when they last longer than the timeout.
        bob = server.login("bob")
        assert bob.get("/healthz/live").status_code == 200

        async def socket_outlives_the_timeout():
            async with websockets.connect(server.ws_url, additional_headers=server.ws_headers(bob), open_timeout=10) as ws:
                assert orjson.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "ready"
                await asyncio.sleep(2.5)
                await ws.send(orjson.dumps({"type": "ping", "id": 1}).decode())
                assert orjson.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "pong"

        asyncio.run(socket_outlives_the_timeout())
        time.sleep(1.5)  # a keep-alive connection past the timeout still serves its next request
        assert bob.get("/healthz/live").status_code == 200
    finally:
        server.stop()

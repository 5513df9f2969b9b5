"""GUIDE.md §5, WebSocket hardening, against a real server process: the Origin check, the
unauthenticated socket, malformed frames, the outsider's 404 and logout closing sockets.
"""

import uuid

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.support.wsclient import alice, bob, carol, conv, connect, is_message, run, server  # noqa: F401 (fixtures)


def _refused(server, client, origin):
    async def go():
        with pytest.raises(InvalidStatus) as exc:
            async with connect(server, client, origin=origin):
                pass
        return exc.value.response.status_code

    return run(go())


@pytest.mark.parametrize("origin", ["http://evil.example", "https://127.0.0.1.evil.example", "null", "file://"])
def test_cross_site_origin_is_refused(server, bob, origin):
    assert _refused(server, bob, origin) == 403


def test_another_allowed_host_scheme_or_port_is_refused(server, bob):
    """The Origin must be the socket's own: scheme, host and port (tests/security/test_hole_origin.py)."""
    for origin in (f"http://localhost:{server.port}", f"https://127.0.0.1:{server.port}", "http://127.0.0.1"):
        assert _refused(server, bob, origin) == 403, origin


def test_same_origin_and_no_origin_are_accepted(server, bob):
    async def go():
        for origin in ("default", None, f"http://127.0.0.1:{server.port}"):
            async with connect(server, bob, origin=origin) as b:
                assert b.ready["user_id"]

    run(go())


def test_unauthenticated_socket_is_refused(server):
    assert _refused(server, None, "default") == 403
    anonymous = server.client()
    anonymous.get("/accounts/login/")  # a csrftoken cookie, but no session
    assert _refused(server, anonymous, "default") == 403
    anonymous.cookies.set("sessionid", "not-a-real-session")
    assert _refused(server, anonymous, "default") == 403


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("this is not json", "bad_json"),
        ("{unterminated", "bad_json"),
        ("[1, 2, 3]", "bad_frame"),
        ('"a string"', "bad_frame"),
        ("{}", "bad_frame"),
        ('{"type": 5}', "bad_frame"),
        ('{"type": "no_such_type"}', "unknown_type"),
        ('{"type": "' + "x" * 17 * 1024 + '"}', "frame_too_large"),
        ('{"type": "send", "conversation_id": "abc", "body": "x", "client_msg_id": "nope"}', "invalid"),
        ('{"type": "sync", "since": "zero"}', "invalid"),
    ],
)
def test_bad_frames_get_an_error_frame_and_the_socket_stays_usable(server, bob, raw, code):
    async def go():
        async with connect(server, bob) as b:
            await b.send(raw)
            error = await b.recv()
            assert error["type"] == "error" and error["code"] == code, error
            assert error["message"] and "Traceback" not in error["message"]
            assert isinstance(error["details"], dict)
            assert (await b.ping())["type"] == "pong"

    run(go())


def test_binary_frames_are_answered_too(server, bob):
    async def go():
        async with connect(server, bob) as b:
            await b.send(b'{"type": "ping", "id": "bin"}')
            assert (await b.recv()) == {"type": "pong", "id": "bin"}
            await b.send(b"\xff\xfe not json")
            assert (await b.recv())["type"] == "error"
            assert (await b.ping())["type"] == "pong"

    run(go())


def test_outsider_gets_not_found_and_no_events(server, alice, bob, carol, conv):
    async def go():
        async with connect(server, carol) as c, connect(server, alice) as a, connect(server, bob) as b:
            theirs = await c.request({"type": "send", "conversation_id": conv, "body": "let me in", "client_msg_id": str(uuid.uuid4())})
            missing = await c.request({"type": "send", "conversation_id": 10**9, "body": "let me in", "client_msg_id": str(uuid.uuid4())})
            strip = lambda fr: {k: v for k, v in fr.items() if k != "id"}  # noqa: E731
            assert theirs["type"] == "error" and theirs["code"] == "not_found"
            assert strip(theirs) == strip(missing)
            read_theirs = await c.request({"type": "read", "conversation_id": conv, "seq": 1})
            read_missing = await c.request({"type": "read", "conversation_id": 10**9, "seq": 1})
            assert strip(read_theirs) == strip(read_missing) == strip(theirs)
            body = f"private {uuid.uuid4()}"
            await b.send_message(conv, body)
            await a.event("message.created", is_message(body))
            await a.request({"type": "read", "conversation_id": conv})
            await b.event("conversation.read")
            pong = await c.ping()
            assert pong["type"] == "pong"
            assert [fr for fr in c.frames if fr.get("type") == "event"] == [], "carol saw another conversation's events"
            synced = await c.request({"type": "sync", "since": c.ready["cursor"]})
            assert synced["events"] == []

    run(go())


def test_logout_closes_that_sessions_sockets(server, bob):
    leaving = server.login("bob")

    async def go():
        async with connect(server, bob) as staying, connect(server, leaving) as ws:
            r = leaving.post("/accounts/logout/")
            assert r.status_code in (200, 302), r.status_code
            with pytest.raises(ConnectionClosed) as exc:
                for _ in range(50):
                    await ws.recv()
            assert exc.value.rcvd is not None and exc.value.rcvd.code == 4401
            assert (await staying.ping())["type"] == "pong", "other sessions stay connected"
        with pytest.raises(InvalidStatus):
            async with connect(server, leaving):
                pass

    run(go())
    leaving.close()

"""The /ws/ endpoint, the hub, the batcher and signals in-process over ASGI: no subprocess.

`parley_asgi(django_app)` runs in the test's event loop with in-memory queues for each
connection (tests/support/asgi.py), on whatever database and broker the run uses (SQLite
and the memory broker by default, PostgreSQL and Redis when DATABASE_URL and REDIS_URL are
set). Sockets log in with real sessions.
"""

import contextlib
import threading
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction
from django.test import Client
from pydantic import ConfigDict

from parley.conversations.models import Conversation, Message
from parley.stream import schemas
from parley.stream.append import encode
from parley.stream.hub import hub
from parley.stream.models import StreamEvent
from parley.stream.read import stream_cursor_for
from parley.stream.signals import signal
from parley.stream.sinks import register_sink, unregister_sink
from parley.stream.broker import ring_doorbells
from tests import factories as f
from tests.support.asgi import ASGIHarness, Closed, Refused, run, until
from tests.support.events import capture_events

pytestmark = pytest.mark.django_db(transaction=True)


class AnyPayload(schemas.Payload):
    model_config = ConfigDict(extra="allow")


@pytest.fixture(autouse=True)
def inprocess(fresh_broker, fresh_batchers, rate_clock, monkeypatch, settings):
    """A fresh broker and send batchers (the default: the event loop on PostgreSQL, one writer
    thread on SQLite); the rate limiter's clock, to move. The made-up event types some tests
    push by hand are registered while they run."""
    settings.PARLEY_SEND_WRITERS = None
    for name in ("test.late", "test.next"):
        monkeypatch.setitem(schemas._schemas, name, AnyPayload)
    return rate_clock


def harness() -> ASGIHarness:
    return ASGIHarness()


def send_frame(conv, body, cmid=None) -> dict:
    return {"type": "send", "conversation_id": conv.pk, "body": body, "client_msg_id": str(cmid or uuid.uuid4())}


def events(frames) -> list[dict]:
    return [fr for fr in frames if fr.get("type") == "event"]


in_thread = sync_to_async  # the ORM off the event loop, on asgiref's sync thread


# --- connect, ready, send, ack --------------------------------------------------------------


def test_ready_carries_the_stream_cursor():
    alice, bob, _carol, conv = f.trio()
    f.send(conv, bob, "one")
    f.send(conv, alice, "two")

    async def go():
        async with harness() as h:
            a = await h.ws(alice)
            assert a.ready == {"type": "ready", "user_id": alice.pk, "cursor": 2}
            synced = await a.request({"type": "sync", "since": 0})
            assert [e["seq"] for e in synced["events"]] == [1, 2]
            assert (synced["cursor"], synced["head"]) == (2, 2)
            assert hub.connection_count() == 1
        assert hub.connection_count() == 0, "a closed socket leaves the hub"

    run(go())


def test_the_ack_carries_the_event_and_each_socket_writes_it_once():
    alice, bob, _carol, conv = f.trio()

    async def go():
        async with harness() as h:
            a1, a2, b1, b2 = await h.ws(alice), await h.ws(alice), await h.ws(bob), await h.ws(bob)
            ack = await b1.request(send_frame(conv, "hello"))
            assert ack["type"] == "ack" and ack["created"] is True
            event = ack["event"]
            assert event["seq"] == b1.ready["cursor"] + 1 and event["event"] == "message.created"
            assert event["data"]["message"] == ack["message"] and event["data"]["unread"] == 0
            # The other user's sockets and the sender's other socket get it pushed, once.
            for sock in (a1, a2, b2):
                pushed = await sock.event()
                assert pushed["data"]["message"] == ack["message"]
            mine = {k: v for k, v in pushed.items() if k != "type"}
            assert mine == event, "bob's other socket gets the same event as the ack"
            # b2's push and b1's come from one delivery to bob: b1's was handled and dropped.
            for sock in (a1, a2, b1, b2):
                assert events(await sock.flush()) == [], "no second copy anywhere"
            # A retry is answered from the stored message and carries no event.
            retry = await b1.request(send_frame(conv, "hello", ack["client_msg_id"]))
            assert retry["created"] is False and "event" not in retry and retry["message"] == ack["message"]
            assert events(await a1.flush()) == []

    run(go())


@contextlib.contextmanager
def writes_blocked(conv):
    """Hold the write lock (SQLite) or the conversation's row lock (PostgreSQL) from a thread."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():  # SQLite's IMMEDIATE mode takes the write lock here
                Conversation.objects.select_for_update().filter(pk=conv.pk).exists()
                locked.set()
                release.wait(15)
        finally:
            connection.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert locked.wait(10), "could not take the lock"
    try:
        yield
    finally:
        release.set()
        thread.join(15)


def test_pushes_held_during_a_frame_come_out_in_seq_order_around_the_ack():
    alice, bob, _carol, conv = f.trio()
    f.send(conv, alice, "earlier")  # bob's cursor is 2 (his conversation.started, then this)

    async def go():
        async with harness() as h:
            b1, b2 = await h.ws(bob), await h.ws(bob)
            assert b1.ready["cursor"] == 2
            before = '{"type":"event","seq":2,"event":"test.late","data":{}}'
            after = '{"type":"event","seq":4,"event":"test.next","data":{}}'
            with writes_blocked(conv):
                await b1.send(send_frame(conv, "mine"))
                await until(b1.taken, what="the endpoint to take the send")
                # While the send waits for the database, pushes arrive for bob.
                hub.deliver(bob.pk, 4, after)
                hub.deliver(bob.pk, 2, before)
            await b2.event(lambda fr: fr["seq"] == 3)  # the send's own push reached bob's sockets
            frames = await b1.flush()
            assert [(fr["type"], fr.get("seq") or fr.get("event", {}).get("seq")) for fr in frames] == [
                ("event", 2), ("ack", 3), ("event", 4)
            ], frames
            assert [fr["seq"] for fr in events(await b2.flush())] == [4, 2], "b2 was not holding: as they came"

    run(go())


def test_a_push_that_comes_after_the_ack_is_dropped():
    """Through Redis the sender's own push comes after the ack; the socket drops it then."""
    alice, bob, _carol, conv = f.trio()

    async def go():
        async with harness() as h:
            a, b1, b2 = await h.ws(alice), await h.ws(bob), await h.ws(bob)
            unregister_sink("doorbell")  # no push until we deliver it, after the reply
            try:
                ack = await b1.request(send_frame(conv, "late push"))
                event = ack["event"]
                frame = '{"type":"event","seq":%d,"event":"message.created","data":%s}' % (
                    event["seq"], encode(event["data"]))
                assert events(await b1.flush()) == []
                hub.deliver(bob.pk, event["seq"], frame)
                assert events(await b1.flush()) == [], "written once, inside the ack"
                assert (await b2.event())["seq"] == event["seq"], "the other socket gets it"
                # Only that seq is dropped: the next event is pushed as usual.
                hub.deliver(bob.pk, event["seq"] + 1, '{"type":"event","seq":%d,"event":"test.next","data":{}}' % (event["seq"] + 1))
                assert [fr["seq"] for fr in events(await b1.flush())] == [event["seq"] + 1]
                assert events(await a.flush()) == [], "alice's push was never rung"
            finally:
                register_sink("doorbell", ring_doorbells)

    run(go())


# --- the batcher ------------------------------------------------------------------------------


def test_concurrent_sends_from_several_sockets_share_one_commit():
    alice = f.user("alice")
    buyers = [f.user(f"buyer{i}") for i in range(4)]
    convs = [f.conversation(buyer=b, seller=alice) for b in buyers]

    async def go():
        async with harness() as h:
            sockets = [await h.ws(b) for b in buyers] + [await h.ws(alice)]
            targets = convs + [convs[0]]
            with capture_events() as captured:
                for i, (sock, conv) in enumerate(zip(sockets, targets)):
                    sock.send_nowait({**send_frame(conv, f"m{i}"), "id": f"s{i}"})
                acks = [(await sock.until(lambda fr, i=i: fr.get("id") == f"s{i}"))[-1] for i, sock in enumerate(sockets)]
            assert [a["type"] for a in acks] == ["ack"] * 5 and all(a["created"] for a in acks)
            # The first send found the writer idle and went alone; the four that arrived
            # while it ran went together: two commits for five messages.
            assert [len(d) for d in captured.dispatches] == [2, 8]
            assert [a["message"]["seq"] for a in acks] == [1, 1, 1, 1, 2]
            assert all(a["event"]["data"]["message"] == a["message"] for a in acks)

    run(go())


def test_the_send_rate_limit_moves_with_the_clock_not_the_wall(settings, inprocess):
    settings.PARLEY_SEND_RATE = "5/60"
    alice, bob, _carol, conv = f.trio()

    async def go():
        async with harness() as h:
            b = await h.ws(bob)
            for i in range(5):
                assert (await b.request(send_frame(conv, f"m{i}")))["type"] == "ack"
            limited = await b.request(send_frame(conv, "one too many"))
            assert limited["type"] == "error" and limited["code"] == "rate_limited", limited
            assert limited["details"]["retry_after"] == 60 and "Try again" in limited["message"]
            assert (await b.request({"type": "ping"}))["type"] == "pong", "the socket stays usable"
            inprocess.advance(30)
            assert (await b.request(send_frame(conv, "still")))["details"]["retry_after"] == 30
            inprocess.advance(30)
            assert (await b.request(send_frame(conv, "next window")))["type"] == "ack"

    run(go())
    client = Client()
    client.force_login(bob)
    for _ in range(4):
        r = client.post(f"/api/v1/conversations/{conv.pk}/messages", {"body": "http", "client_msg_id": str(uuid.uuid4())},
                        content_type="application/json")
        assert r.status_code == 201
    r = client.post(f"/api/v1/conversations/{conv.pk}/messages", {"body": "http", "client_msg_id": str(uuid.uuid4())},
                    content_type="application/json")
    assert r.status_code == 429 and r.json()["error"]["details"]["retry_after"] == 60
    assert Message.objects.filter(sender=bob).count() == 10


# --- bad frames, handshake refusals, logout ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("this is not json", "bad_json"),
        ("[1, 2, 3]", "bad_frame"),
        ('{"type": 5}', "bad_frame"),
        ('{"type": "no_such_type", "id": 7}', "unknown_type"),
        ('{"type": "' + "x" * 17 * 1024 + '"}', "frame_too_large"),
        ('{"type": "send", "conversation_id": "abc", "body": "x", "client_msg_id": "nope"}', "invalid"),
        ('{"type": "read", "conversation_id": 1, "seq": -1}', "invalid"),
        (b"\xff\xfe not json", "bad_json"),
    ],
)
def test_bad_frames_get_an_error_frame_and_the_socket_stays_usable(raw, code):
    bob = f.user("bob")

    async def go():
        async with harness() as h:
            b = await h.ws(bob)
            await b.send(raw)
            error = await b.recv()
            assert error["type"] == "error" and error["code"] == code, error
            assert error["message"] and "Traceback" not in error["message"] and isinstance(error["details"], dict)
            if code == "unknown_type":
                assert error["id"] == 7 and "send" in error["details"]["known"]
            assert (await b.request({"type": "ping"}))["type"] == "pong"
            assert hub.connection_count() == 1

    run(go())


def test_the_handshake_refuses_other_sites_strangers_and_other_paths():
    bob = f.user("bob")

    async def refused(h, **kw):
        with pytest.raises(Refused) as exc:
            await h.ws(**kw)
        return exc.value.code

    async def go():
        async with harness() as h:
            cookie = await h.login(bob)
            for origin in ("http://evil.example", "https://localhost.evil.example", "null", "file://"):
                assert await refused(h, cookie=cookie, origin=origin) == 4403, origin
            assert await refused(h, origin="http://localhost") == 4401, "no session"
            assert await refused(h, cookie="sessionid=not-a-session") == 4401
            assert await refused(h, cookie=cookie, path="/ws/other/") == 4404
            assert hub.connection_count() == 0
            for origin in (None, "http://localhost"):  # scheme, host and port must match (tests/security/test_hole_origin.py)
                assert (await h.ws(cookie=cookie, origin=origin)).ready["user_id"] == bob.pk

    run(go())


def test_logout_closes_that_sessions_sockets_only():
    bob = f.user("bob")

    async def go():
        async with harness() as h:
            leaving_cookie, staying_cookie = await h.login(bob), await h.login(bob)
            leaving, staying = await h.ws(cookie=leaving_cookie), await h.ws(cookie=staying_cookie)

            def logout():
                client = Client()
                client.cookies["sessionid"] = leaving_cookie.split("=", 1)[1]
                assert client.post("/accounts/logout/").status_code in (200, 302)

            await in_thread(logout)()
            with pytest.raises(Closed) as exc:
                await leaving.until(lambda fr: False)
            assert exc.value.code == 4401
            assert (await staying.request({"type": "ping"}))["type"] == "pong", "the other session stays"
            with pytest.raises(Refused):
                await h.ws(cookie=leaving_cookie)

    run(go())


# --- live-only signals (the long-poll's are in test_longpoll.py) ------------------------------------------------------


def test_a_signal_reaches_every_socket_of_its_users_and_is_never_stored(settings, inprocess):
    settings.PARLEY_SIGNAL_RATE = "3/10"
    alice, bob, carol, conv = f.trio()
    f.send(conv, bob, "before")

    async def go():
        async with harness() as h:
            a1, a2, b, c = await h.ws(alice), await h.ws(alice), await h.ws(bob), await h.ws(carol)
            stored = await in_thread(StreamEvent.objects.count)()
            await in_thread(signal)([alice.pk, bob.pk, alice.pk], "typing", {"conversation_id": conv.pk}, sender_id=bob.pk)
            expected = {"type": "signal", "signal": "typing", "data": {"conversation_id": conv.pk}}
            for sock in (a1, a2, b):
                frames = await sock.until(lambda fr: fr.get("type") == "signal")
                assert frames == [expected], "once per socket, no seq"
            assert await c.flush() == [], "only the users named"
            assert await in_thread(StreamEvent.objects.count)() == stored
            assert await in_thread(stream_cursor_for)(user=alice) == a1.ready["cursor"]
            synced = await a1.request({"type": "sync", "since": a1.ready["cursor"]})
            assert synced["events"] == [] and synced["head"] == a1.ready["cursor"]
            # Rate-limited per sender: bob has 2 more in this window, carol her own.
            from parley.core.errors import RateLimited

            for _ in range(2):
                await in_thread(signal)([alice.pk], "typing", {}, sender_id=bob.pk)
            with pytest.raises(RateLimited):
                await in_thread(signal)([alice.pk], "typing", {}, sender_id=bob.pk)
            await in_thread(signal)([alice.pk], "typing", {}, sender_id=carol.pk)
            inprocess.advance(10)
            await in_thread(signal)([alice.pk], "typing", {"again": True}, sender_id=bob.pk)
            frames = await a1.until(lambda fr: fr.get("data") == {"again": True})
            assert len(frames) == 4 and all(fr["type"] == "signal" and "seq" not in fr for fr in frames)

    run(go())

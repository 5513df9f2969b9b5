"""POST /api/v1/frames: the WebSocket's frames over HTTP, through the same dispatcher.

The replies are compared with the socket's own, in-process (tests/support/asgi.py).
"""

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from parley.conversations.models import Message
from parley.stream.hub import hub
from tests import factories as f
from tests.support.asgi import ASGIHarness, run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_broker", "fresh_batchers")]

CSRF_SECRET = "c" * 32


def as_user(user, **kw) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def post_frame(client, frame, **kw):
    raw = frame if isinstance(frame, (str, bytes)) else json.dumps(frame)
    return client.post("/api/v1/frames", raw, content_type="application/json", **kw)


def without_id(frame: dict) -> dict:
    return {k: v for k, v in frame.items() if k != "id"}


def test_http_frames_answer_as_the_socket_does(rate_clock):
    alice, bob, _carol, conv = f.trio()
    f.send(conv, alice, "first")
    http = as_user(bob)

    async def over_http(frame):
        r = await sync_to_async(post_frame)(http, frame)
        return r.status_code, r.json()

    async def go():
        async with ASGIHarness() as h:
            sock = await h.ws(bob)
            for frame in ({"type": "ping"}, {"type": "sync", "since": 0}, {"type": "sync", "since": 10**6},
                          {"type": "read", "conversation_id": conv.pk, "seq": 1}):
                status, reply = await over_http({**frame, "id": "h1"})
                assert status == 200 and reply["id"] == "h1"
                assert without_id(reply) == without_id(await sock.request(frame)), frame
            # A send over HTTP: the ack carries the sender's own event, as on the socket...
            cmid = str(uuid.uuid4())
            status, ack = await over_http({"type": "send", "conversation_id": conv.pk, "body": "by http", "client_msg_id": cmid})
            assert status == 200 and ack["type"] == "ack" and ack["created"] is True
            assert ack["event"]["data"]["message"] == ack["message"]
            head = (await sock.request({"type": "sync", "since": 0}))["head"]
            assert ack["event"]["seq"] == head == sock.ready["cursor"] + 2, "after the read mark's event"
            # ...the socket (another connection of bob's) is pushed that event once...
            pushed = await sock.event(lambda fr: fr["seq"] == head)
            assert without_id(pushed) == {"type": "event", **ack["event"]}
            # ...and the same send on the socket is the retry: the original, no event.
            retry = await sock.request({"type": "send", "conversation_id": conv.pk, "body": "by socket", "client_msg_id": cmid})
            assert without_id(retry) == {**{k: v for k, v in ack.items() if k != "event"}, "created": False}
            rest = [(fr["seq"], fr["event"]) for fr in await sock.flush() if fr["type"] == "event"]
            assert rest == [(head - 1, "conversation.read")], "the read mark's push; no second message"
            assert hub.connection_count() == 1

    run(go())
    assert list(Message.objects.filter(sender=bob).values_list("body", flat=True)) == ["by http"]


@pytest.mark.parametrize(
    ("frame", "status", "code"),
    [
        ("not json", 400, "bad_json"),
        ("[1]", 400, "bad_frame"),
        ({"type": "nope"}, 400, "unknown_type"),
        ({"type": "x" * 17 * 1024}, 400, "frame_too_large"),
        ({"type": "send", "conversation_id": "abc", "body": "x", "client_msg_id": str(uuid.uuid4())}, 422, "invalid"),
        ({"type": "sync", "since": "zero"}, 422, "invalid"),
    ],
)
def test_http_frame_errors_have_the_shape_and_status(frame, status, code):
    bob = f.user("bob")
    r = post_frame(as_user(bob), frame)
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]


def test_a_strangers_conversation_is_not_found_like_a_missing_one(rate_clock):
    alice, bob, carol, conv = f.trio()
    f.send(conv, bob, "private")
    client = as_user(carol)
    replies = []
    for conversation_id in (conv.pk, 10**9):
        for frame in ({"type": "send", "conversation_id": conversation_id, "body": "let me in", "client_msg_id": str(uuid.uuid4())},
                      {"type": "read", "conversation_id": conversation_id}):
            r = post_frame(client, frame)
            assert r.status_code == 404
            replies.append(r.json())
    assert all(reply == replies[0] for reply in replies) and replies[0]["error"]["code"] == "not_found"
    synced = post_frame(client, {"type": "sync", "since": 0}).json()
    assert synced["events"] == [], "and carol sees none of its events"
    assert Message.objects.filter(sender=carol).count() == 0


def test_http_frames_keep_the_rate_limit_and_its_status(settings, rate_clock):
    settings.PARLEY_SEND_RATE = "2/60"
    _alice, bob, _carol, conv = f.trio()
    client = as_user(bob)

    def send():
        return post_frame(client, {"type": "send", "conversation_id": conv.pk, "body": "x", "client_msg_id": str(uuid.uuid4())})

    assert [send().status_code for _ in range(2)] == [200, 200]
    r = send()
    assert r.status_code == 429 and r.json()["error"]["details"]["retry_after"] == 60


def test_cookie_auth_needs_the_csrf_token():
    _alice, bob, _carol, conv = f.trio()
    client = as_user(bob, enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    frame = {"type": "send", "conversation_id": conv.pk, "body": "forged", "client_msg_id": str(uuid.uuid4())}
    assert post_frame(client, frame).status_code == 403
    assert post_frame(client, frame, headers={"X-CSRFToken": "d" * 32}).status_code == 403
    assert post_frame(client, {"type": "ping"}).status_code == 403
    assert not Message.objects.filter(body="forged").exists()
    r = post_frame(client, frame, headers={"X-CSRFToken": CSRF_SECRET})
    assert r.status_code == 200 and r.json()["created"] is True
    assert Client().post("/api/v1/frames", "{}", content_type="application/json").status_code == 401

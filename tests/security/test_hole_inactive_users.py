"""Hole 2 (issue 16): a deactivated user's open socket keeps working.

Deactivation and a password change close every socket of that user, in every process (a
control message through the broker); a new handshake is refused; and frames that were already
on the way (send, read, sync) are refused with `forbidden`, since a socket's user object is
the one of its handshake.
"""

import uuid

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.utils import timezone

from parley.conversations.models import Message
from parley.conversations.services import SendRequest, message_send, send_batch
from parley.core.active import AccountInactive
from parley.stream.broker import get_broker
from tests import factories as f
from tests.support.asgi import ASGIHarness, Closed, Refused, run

pytestmark = pytest.mark.django_db(transaction=True)
in_thread = sync_to_async


@pytest.fixture(autouse=True)
def inprocess(fresh_broker, fresh_batchers, no_rate_limit, settings):
    settings.PARLEY_SEND_WRITERS = 1


@pytest.fixture
def controls(monkeypatch):
    """Record the control messages published (they are still delivered)."""
    broker, sent = get_broker(), []
    real = broker.publish_control

    def publish_control(user_id, message):
        sent.append((user_id, message))
        real(user_id, message)

    monkeypatch.setattr(broker, "publish_control", publish_control)
    return sent


def deactivate(user):
    user.is_active = False
    user.save()


def new_password(user):
    user.set_password("a-new-password-42")
    user.save(update_fields=["password"])


def send_frame(conv, body="hi"):
    return {"type": "send", "conversation_id": conv.pk, "body": body, "client_msg_id": str(uuid.uuid4())}


async def closed_code(ws) -> int:
    with pytest.raises(Closed) as exc:
        await ws.until(lambda fr: False)
    return exc.value.code


@pytest.mark.parametrize("change", [deactivate, new_password], ids=["deactivated", "password_changed"])
def test_deactivation_and_a_new_password_close_every_socket_of_that_user(change, controls):
    alice, bob, carol, conv = f.trio()

    async def go():
        async with ASGIHarness() as h:
            cookie1, cookie2 = await h.login(bob), await h.login(bob)
            b1, b2, a = await h.ws(cookie=cookie1), await h.ws(cookie=cookie2), await h.ws(alice)
            await in_thread(change)(await in_thread(get_user_model().objects.get)(pk=bob.pk))
            assert await closed_code(b1) == 4401
            assert await closed_code(b2) == 4401
            assert (await a.request({"type": "ping"}))["type"] == "pong", "other users' sockets stay"
            for cookie in (cookie1, cookie2):  # and the old sessions cannot open a new one
                with pytest.raises(Refused) as exc:
                    await h.ws(cookie=cookie)
                assert exc.value.code == 4401

    run(go())
    assert [uid for uid, msg in controls if msg["type"] == "revoke"] == [bob.pk]


def test_saves_that_change_neither_is_active_nor_the_password_close_nothing(controls):
    bob = f.user("bob")

    def edits():
        user = get_user_model().objects.get(pk=bob.pk)
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])  # every log-in does this
        user.first_name = "Bob"
        user.save()
        user.is_active = True
        user.save()

    async def go():
        async with ASGIHarness() as h:
            b = await h.ws(bob)
            await in_thread(edits)()
            assert (await b.request({"type": "ping"}))["type"] == "pong"

    run(go())
    # Presence changes travel as control messages too (stream/presence/); none closes a socket.
    assert [c for c in controls if c[1]["type"] != "presence"] == []


def test_frames_already_on_the_way_from_a_deactivated_user_are_refused(monkeypatch):
    """Even if the close has not reached the socket yet (here it never does), nothing goes through."""
    alice, bob, carol, conv = f.trio()
    f.send(conv, alice, "before")
    monkeypatch.setattr(get_broker(), "publish_control", lambda user_id, message: None)

    async def go():
        async with ASGIHarness() as h:
            b = await h.ws(bob)
            await in_thread(deactivate)(await in_thread(get_user_model().objects.get)(pk=bob.pk))
            for frame in (send_frame(conv), {"type": "read", "conversation_id": conv.pk}, {"type": "sync", "since": 0}):
                reply = await b.request(frame)
                assert reply["type"] == "error" and reply["code"] == "forbidden", (frame, reply)
                assert "deactivated" in reply["message"]
            assert (await b.request({"type": "ping"}))["type"] == "pong", "the socket stays usable for its close"

    run(go())
    assert not Message.objects.filter(sender=bob).exists()


def test_the_send_path_refuses_an_inactive_sender_and_only_them(rate_clock):
    alice, bob, carol, conv = f.trio()
    stale_bob = get_user_model().objects.get(pk=bob.pk)  # loaded while active, as a socket's user is
    deactivate(bob)
    out = send_batch([SendRequest(stale_bob, conv.pk, "from bob", uuid.uuid4()), SendRequest(alice, conv.pk, "from alice", uuid.uuid4())])
    assert isinstance(out[0].error, AccountInactive) and out[0].error.code == "forbidden" and out[0].error.status == 403
    assert out[1].error is None and out[1].created
    with pytest.raises(AccountInactive):
        message_send(sender=stale_bob, conversation=conv, body="again", client_msg_id=uuid.uuid4())
    assert list(Message.objects.values_list("body", flat=True)) == ["from alice"]


def test_the_http_fallback_refuses_a_deactivated_user():
    alice, bob, carol, conv = f.trio()

    async def go():
        async with ASGIHarness() as h:
            cookie = await h.login(bob)
            await in_thread(deactivate)(await in_thread(get_user_model().objects.get)(pk=bob.pk))
            for path in ("/api/v1/events", "/api/v1/me", f"/api/v1/conversations/{conv.pk}/messages"):
                status, body = await h.http("GET", path, cookie=cookie)
                assert status == 401 and isinstance(body, dict) and "error" in body, (path, status, body)

    run(go())

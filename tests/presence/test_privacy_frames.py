"""Privacy over the socket and the API, in-process (tests/support/asgi.py): the hidden data never
leaves the server. On whatever broker the run uses (memory; Redis with REDIS_URL, where a push
can trail its ack: wait for pushes, never assume a ping flush got them)."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from parley.conversations import services
from tests import factories as f
from tests.support.asgi import ASGIHarness, run

from .test_frames import nothing_more, signal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_broker", "fresh_batchers")]


@pytest.fixture(autouse=True)
def quick(settings, rate_clock):
    settings.PARLEY_PRESENCE_GRACE = 0
    settings.PARLEY_PRESENCE_TTL = 3
    return rate_clock


def events_of(frames, name):
    return [fr for fr in frames if fr.get("type") == "event" and fr.get("event") == name]


async def no_read_by(ws, reader_id) -> None:
    """No `conversation.read` of `reader_id` reaches ws (its owner's own reads may)."""
    await asyncio.sleep(0.2)
    assert [e for e in events_of(await ws.flush(), "conversation.read") if e["data"]["user_id"] == reader_id] == []


def test_receipts_off_the_other_socket_gets_no_read_event_and_the_api_hides_the_mark():
    alice, bob, _carol, conv = f.trio()
    f.send(conv, bob, "hi")
    services.privacy_set_defaults(user=alice, show_online=True, read_receipts=False)

    async def go():
        async with ASGIHarness() as h:
            a, b = await h.ws(alice), await h.ws(bob)
            ack = await a.request({"type": "read", "conversation_id": conv.pk})
            assert (ack["type"], ack["last_read_seq"]) == ("ack", 1)
            await no_read_by(b, alice.pk)
            status, body = await h.http("GET", f"/api/v1/conversations/{conv.pk}", cookie=await h.login(bob))
            assert status == 200
            assert (body["conversation"]["other_read_seq"], body["conversation"]["read_receipts"]) == (0, False)
            # Reciprocal: bob's reads do not reach alice either.
            await a.request({"type": "send", "conversation_id": conv.pk, "body": "yo",
                             "client_msg_id": "5b1c0f5e-9e0a-4a35-9f53-8a9c2b7d2f10"})
            await b.event(lambda fr: fr["event"] == "message.created")
            own = await b.request({"type": "read", "conversation_id": conv.pk})
            assert own["last_read_seq"] == 2
            await no_read_by(a, bob.pk)
            status, body = await h.http("GET", f"/api/v1/conversations/{conv.pk}", cookie=await h.login(alice))
            assert body["conversation"]["other_read_seq"] == 0
            # Alice turns them on here: both sides are told live, with the mark now (no past events).
            await sync_to_async(services.privacy_set_override)(
                user=alice, conversation=conv, show_online=None, read_receipts=True)
            told = await signal(b, "privacy")
            assert told == {"conversation_id": conv.pk, "read_receipts": True, "other_read_seq": 2}  # her send read up to it
            assert (await signal(a, "privacy"))["other_read_seq"] == 2
            await no_read_by(b, alice.pk)
            again = await sync_to_async(f.send)(conv, bob, "again")
            await a.request({"type": "read", "conversation_id": conv.pk})
            event = await b.event(lambda fr: fr["event"] == "conversation.read" and fr["data"]["user_id"] == alice.pk)
            assert (event["data"]["user_id"], event["data"]["seq"]) == (alice.pk, again.seq)
            # And off again: the signal carries no mark.
            await sync_to_async(services.privacy_set_override)(
                user=bob, conversation=conv, show_online=None, read_receipts=False)
            assert await signal(a, "privacy") == {"conversation_id": conv.pk, "read_receipts": False}

    run(go())


def test_hidden_presence_replies_offline_never_seen_and_pushes_nothing():
    alice, bob, carol, conv = f.trio()
    f.conversation(buyer=carol, seller=alice)
    services.privacy_set_override(user=alice, conversation=conv, show_online=False, read_receipts=None)

    async def go():
        async with ASGIHarness() as h:
            b, c = await h.ws(bob), await h.ws(carol)
            for ws in (b, c):
                assert (await ws.request({"type": "presence", "user_id": alice.pk}))["online"] is False
            a = await h.ws(alice)
            assert (await signal(c, "presence"))["online"] is True  # carol may see her
            reply = await b.request({"type": "presence", "user_id": alice.pk})
            assert (reply["online"], reply["last_seen_at"]) == (False, None)
            await nothing_more(b, "presence")
            await a.close()
            assert (await signal(c, "presence"))["online"] is False
            await nothing_more(b, "presence")
            # She shows it again: bob is told to ask, and sees her.
            await sync_to_async(services.privacy_set_override)(
                user=alice, conversation=conv, show_online=None, read_receipts=None)
            await signal(b, "privacy")
            a2 = await h.ws(alice)
            assert (await signal(b, "presence"))["online"] is True
            assert (await signal(c, "presence"))["online"] is True
            # Her default off: carol's pushes stop too.
            await sync_to_async(services.privacy_set_defaults)(user=alice, show_online=False, read_receipts=True)
            reply = await c.request({"type": "presence", "user_id": alice.pk})
            assert (reply["online"], reply["last_seen_at"]) == (False, None)
            await a2.close()
            await nothing_more(c, "presence")
            await nothing_more(b, "presence")

    run(go())

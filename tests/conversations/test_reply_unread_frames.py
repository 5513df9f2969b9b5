"""The `send` frame with `reply_to_id` and the `unread` frame over the socket (in-process ASGI)."""

import uuid

import pytest

from tests import factories as f
from tests.support.asgi import ASGIHarness, run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_broker", "fresh_batchers")]


def test_reply_and_unread_frames(rate_clock):
    alice, bob, carol, conv = f.trio()
    first = f.send(conv, bob, "Is it still available?")

    async def go():
        async with ASGIHarness() as h:
            a1, a2, b = await h.ws(alice), await h.ws(alice), await h.ws(bob)
            stranger = await h.ws(carol)
            ack = await a1.request({"type": "send", "conversation_id": conv.pk, "body": "Yes",
                                    "client_msg_id": str(uuid.uuid4()), "reply_to_id": first.pk})
            assert ack["message"]["reply_to"]["body"] == "Is it still available?"
            pushed = await b.event(lambda fr: fr.get("event") == "message.created")
            assert pushed["data"]["message"]["reply_to"]["id"] == first.pk
            await a2.event(lambda fr: fr.get("event") == "message.created")
            error = await b.request({"type": "send", "conversation_id": conv.pk, "body": "x",
                                     "client_msg_id": str(uuid.uuid4()), "reply_to_id": 10**9})
            assert (error["type"], error["code"]) == ("error", "not_found")
            ack = await a1.request({"type": "unread", "conversation_id": conv.pk})
            assert (ack["type"], ack["last_read_seq"], ack["unread"], ack["unread_total"]) == ("ack", 0, 2, 2)
            pushed = await a2.event(lambda fr: fr.get("event") == "conversation.unread")
            assert pushed["data"] == {"conversation_id": conv.pk, "last_read_seq": 0, "unread": 2, "unread_total": 2,
                                      "inbox_moves": {"unread": 1}}
            error = await stranger.request({"type": "unread", "conversation_id": conv.pk})
            assert (error["type"], error["code"]) == ("error", "not_found")
            # bob hears nothing of it: his next event is alice's next message.
            await a1.request({"type": "send", "conversation_id": conv.pk, "body": "later", "client_msg_id": str(uuid.uuid4())})
            nxt = await b.event(lambda fr: fr.get("type") == "event")
            assert nxt["event"] == "message.created"

    run(go())

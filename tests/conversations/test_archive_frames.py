"""The `archive` and `unarchive` frames over the socket (in-process ASGI): every tab of the user
hears it with the counts, the other person hears nothing, a stranger gets not_found; and the
conversation page opened at a search result reaches back to it."""

import uuid

import pytest

from tests import factories as f
from tests.support.asgi import ASGIHarness, run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_broker", "fresh_batchers")]


def test_archive_frames(rate_clock):
    alice, bob, carol, conv = f.trio()
    f.send(conv, bob, "Is it still available?")

    async def go():
        async with ASGIHarness() as h:
            a1, a2, b = await h.ws(alice), await h.ws(alice), await h.ws(bob)
            stranger = await h.ws(carol)
            ack = await a1.request({"type": "archive", "conversation_id": conv.pk})
            assert (ack["type"], ack["archived"], ack["counts"]["archived"], ack["counts"]["all"]) == ("ack", True, 1, 0)
            pushed = await a2.event(lambda fr: fr.get("event") == "conversation.archived")
            assert pushed["data"]["conversation_id"] == conv.pk and pushed["data"]["counts"]["archived"] == 1
            error = await stranger.request({"type": "archive", "conversation_id": conv.pk})
            assert (error["type"], error["code"]) == ("error", "not_found")
            ack = await a1.request({"type": "unarchive", "conversation_id": conv.pk})
            assert (ack["archived"], ack["counts"]["all"]) == (False, 1)
            await a2.event(lambda fr: fr.get("event") == "conversation.unarchived")
            # bob hears nothing of it: his next event is alice's next message.
            await a1.request({"type": "send", "conversation_id": conv.pk, "body": "yes", "client_msg_id": str(uuid.uuid4())})
            nxt = await b.event(lambda fr: fr.get("type") == "event")
            assert nxt["event"] == "message.created"

    run(go())


def test_the_page_opened_at_a_result_reaches_back_to_it(no_rate_limit):
    alice, bob, _carol, conv = f.trio()
    for i in range(80):
        f.send(conv, bob, f"m{i}")
    client = f.client_for(alice)
    seqs = [m["seq"] for m in client.get(f"/messages/{conv.pk}/?around=20").context["page_data"]["messages"]]
    assert seqs[0] == 10 and seqs[-1] == 80
    seqs = [m["seq"] for m in client.get(f"/messages/{conv.pk}/").context["page_data"]["messages"]]
    assert seqs[0] == 51
    seqs = [m["seq"] for m in client.get(f"/messages/{conv.pk}/?around=nope").context["page_data"]["messages"]]
    assert seqs[0] == 51

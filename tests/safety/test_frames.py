"""The block and unblock frames over the socket (in-process ASGI) and POST /api/v1/frames."""

import json
import uuid

import pytest
from django.test import Client

from tests import factories as f
from tests.support.asgi import ASGIHarness, run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_broker", "fresh_batchers")]


def send_frame(conv, body="hello") -> dict:
    return {"type": "send", "conversation_id": conv.pk, "body": body, "client_msg_id": str(uuid.uuid4())}


def test_a_block_takes_effect_at_once_on_open_sockets_and_every_tab_of_the_blocker_hears(rate_clock):
    alice, bob, _carol, conv = f.trio()

    async def go():
        async with ASGIHarness() as h:
            a1, a2 = await h.ws(alice), await h.ws(alice)
            b_fr = await h.ws(bob, headers=[(b"accept-language", b"fr")])
            assert (await b_fr.request(send_frame(conv, "before")))["type"] == "ack"
            for tab in (a1, a2):  # behind Redis a push can trail its ack: wait for it, not a ping
                await tab.event(lambda fr: fr.get("event") == "message.created")
            ack = await a1.request({"type": "block", "user_id": bob.pk})
            assert (ack["type"], ack["user_id"], ack["blocked"]) == ("ack", bob.pk, True)
            assert ack.get("id") is not None
            pushed = await a2.event(lambda fr: fr.get("event") == "user.blocked")
            assert pushed["data"] == {"user_id": bob.pk}
            error = await b_fr.request(send_frame(conv, "after"))
            assert (error["type"], error["code"]) == ("error", "blocked")
            assert error["message"] == "Vous ne pouvez pas écrire à cette personne."
            # The refused send appended nothing: the next event either tab sees is the unblock.
            # Unblocking from another tab: bob can send again.
            ack = await a2.request({"type": "unblock", "user_id": bob.pk})
            assert ack["blocked"] is False
            unblocked = await a1.event(lambda fr: fr.get("event") in ("user.unblocked", "message.created"))
            assert (unblocked["event"], unblocked["data"]) == ("user.unblocked", {"user_id": bob.pk}), "nothing of bob's pushed"
            assert (await b_fr.request(send_frame(conv, "again")))["type"] == "ack"

    run(go())


def test_a_stranger_cannot_be_blocked_and_the_frames_work_over_http(rate_clock):
    alice, bob, carol, _conv = f.trio()
    http = Client()
    http.force_login(alice)

    def post(frame):
        r = http.post("/api/v1/frames", json.dumps(frame), content_type="application/json")
        return r.status_code, r.json()

    assert post({"type": "block", "user_id": carol.pk})[1]["error"]["code"] == "not_found"
    assert post({"type": "block", "user_id": 10**9})[0] == 404
    assert post({"type": "unblock", "user_id": carol.pk})[0] == 404
    assert post({"type": "block", "user_id": "2"})[1]["error"]["code"] == "invalid"
    assert post({"type": "block", "user_id": bob.pk}) == (200, {"type": "ack", "user_id": bob.pk, "blocked": True})
    # Bob over the HTTP API: 403 blocked, on a send and on a new conversation.
    bob_http = Client()
    bob_http.force_login(bob)
    r = bob_http.post("/api/v1/frames", json.dumps(send_frame(_conv)), content_type="application/json")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "blocked")
    r = bob_http.post(
        "/api/v1/conversations", json.dumps({"listing_id": f.listing(seller=alice).pk}), content_type="application/json"
    )
    assert (r.status_code, r.json()["error"]["code"], r.json()["error"]["message"]) == (
        403, "blocked", "You can't message this person.",
    )

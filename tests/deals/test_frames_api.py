"""The deals frames over the socket (in-process ASGI) and the /api/v1/ endpoints: live to
every participant, and the one access check (404 for a stranger, as for something missing)."""

import json

import pytest
from django.test import Client

from parley.deals.models import Offer
from tests import factories as f
from tests.support.asgi import ASGIHarness, run

from .helpers import bike_with_buyers, status

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_broker", "fresh_batchers")]


def test_accepting_bobs_offer_reaches_carols_socket_live_and_a_stranger_gets_not_found(rate_clock):
    alice, bike, b = bike_with_buyers("bob", "carol")
    (bob, bob_conv), (carol, carol_conv) = b["bob"], b["carol"]
    dave = f.user("dave")

    async def go():
        async with ASGIHarness() as h:
            a, bs, cs, ds = await h.ws(alice), await h.ws(bob), await h.ws(carol), await h.ws(dave)
            ack = await bs.request({"type": "offer_make", "conversation_id": bob_conv.pk, "amount": "300"})
            assert (ack["type"], ack["offer"]["amount"], ack["offer"]["state"]) == ("ack", "300.00", "pending")
            made = await a.event(lambda fr: fr.get("event") == "offer.made")
            bob_offer = made["data"]["offer"]["id"]
            # A stranger's socket: the same not_found as for a missing offer or conversation.
            for frame in ({"type": "offer_respond", "offer_id": bob_offer, "action": "decline"},
                          {"type": "offer_respond", "offer_id": 10**9, "action": "decline"},
                          {"type": "offer_make", "conversation_id": bob_conv.pk, "amount": "1"},
                          {"type": "listing_update", "conversation_id": bob_conv.pk, "status": "sold"},
                          {"type": "meetup_accept", "meetup_id": 1}):
                error = await ds.request(frame)
                assert (error["type"], error["code"]) == ("error", "not_found"), (frame, error)
            assert (await cs.request({"type": "offer_make", "conversation_id": carol_conv.pk, "amount": 280}))["type"] == "ack"
            refused = await a.request({"type": "offer_make", "conversation_id": bob_conv.pk, "amount": "1"})
            assert (refused["type"], refused["code"]) == ("error", "not_buyer")
            ack = await a.request({"type": "offer_respond", "offer_id": bob_offer, "action": "accept"})
            assert ack["offer"]["state"] == "accepted"
            declined = await cs.event(lambda fr: fr.get("event") == "offer.declined")
            assert (declined["data"]["offer"]["reason"], declined["data"]["actor_id"]) == ("reserved", None)
            changed = await cs.event(lambda fr: fr.get("event") == "listing.changed")
            assert changed["data"]["listing"]["status"] == "reserved"
            assert changed["data"]["change"]["actor_name"] == "alice"
            accepted = await bs.event(lambda fr: fr.get("event") == "offer.accepted")
            assert accepted["data"]["offer"]["id"] == bob_offer
            # The seller marks it sold from the header: both buyers' sockets hear it.
            ack = await a.request({"type": "listing_update", "conversation_id": carol_conv.pk, "status": "sold"})
            assert ack["listing"]["status"] == "sold"
            for sock in (bs, cs):
                sold = await sock.event(lambda fr: fr.get("event") == "listing.changed" and fr["data"]["change"]["new"] == "sold")
                assert sold["data"]["change"]["old"] == "reserved"
            refused = await bs.request({"type": "listing_update", "conversation_id": bob_conv.pk, "status": "available"})
            assert (refused["type"], refused["code"]) == ("error", "not_seller")

    run(go())
    assert status(bike) == "sold"


def _http(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_api_and_a_stranger_gets_404_everywhere(rate_clock):
    alice, bike, b = bike_with_buyers("bob")
    bob, conv = b["bob"]
    dave = f.user("dave")
    bob_http, alice_http, dave_http = _http(bob), _http(alice), _http(dave)

    r = bob_http.post(f"/api/v1/conversations/{conv.pk}/offers", json.dumps({"amount": "300"}), content_type="application/json")
    assert r.status_code == 201, r.content
    offer_id = r.json()["offer"]["id"]
    r = alice_http.post(f"/api/v1/offers/{offer_id}/counter", json.dumps({"amount": "330"}), content_type="application/json")
    assert (r.status_code, r.json()["offer"]["awaiting"]) == (200, "buyer")
    r = bob_http.post(f"/api/v1/offers/{offer_id}/accept")
    assert (r.status_code, r.json()["offer"]["state"]) == (200, "accepted")
    r = bob_http.post(f"/api/v1/offers/{offer_id}/withdraw")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "offer_closed")
    deals = bob_http.get(f"/api/v1/conversations/{conv.pk}/deals").json()
    assert [o["state"] for o in deals["offers"]] == ["accepted"] and deals["changes"][0]["new"] == "reserved"
    r = bob_http.patch(f"/api/v1/conversations/{conv.pk}/listing", json.dumps({"status": "available"}), content_type="application/json")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "not_seller")
    r = alice_http.patch(f"/api/v1/conversations/{conv.pk}/listing", json.dumps({"price": "299.5"}), content_type="application/json")
    assert (r.status_code, r.json()["listing"]["price"]) == (200, "299.50")

    # A stranger: the same 404 as for something that does not exist.
    missing = 10**9
    for method, path, body in [
        ("get", f"/api/v1/conversations/{conv.pk}/deals", None),
        ("post", f"/api/v1/conversations/{conv.pk}/offers", {"amount": "1"}),
        ("post", f"/api/v1/offers/{offer_id}/decline", None),
        ("post", f"/api/v1/offers/{missing}/decline", None),
        ("patch", f"/api/v1/conversations/{conv.pk}/listing", {"status": "sold"}),
    ]:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        r = getattr(dave_http, method)(path, **kwargs)
        assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found"), (path, r.content)
    r = dave_http.post("/api/v1/frames", json.dumps({"type": "offer_respond", "offer_id": offer_id, "action": "decline"}),
                       content_type="application/json")
    assert r.status_code == 404
    assert Offer.objects.get().state == "accepted"
    assert Client().get(f"/api/v1/conversations/{conv.pk}/deals").status_code == 401


def test_deal_writes_need_csrf_and_a_log_in(rate_clock):
    _alice, _bike, b = bike_with_buyers("bob")
    bob, conv = b["bob"]
    strict = f.client_for(bob, enforce_csrf_checks=True)
    r = strict.post(f"/api/v1/conversations/{conv.pk}/offers", json.dumps({"amount": "300"}), content_type="application/json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = strict.patch(f"/api/v1/conversations/{conv.pk}/listing", json.dumps({"status": "sold"}), content_type="application/json")
    assert r.status_code == 403
    r = Client().post(f"/api/v1/conversations/{conv.pk}/offers", json.dumps({"amount": "300"}), content_type="application/json")
    assert r.status_code == 401
    assert not Offer.objects.exists()

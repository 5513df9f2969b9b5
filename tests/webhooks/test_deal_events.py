"""The deal events (parley.deals) through webhooks: one signed delivery per event, never one
per participant, against the real HTTP receiver of tests/webhooks/conftest.py."""

import pytest

from parley.deals import services as deals
from parley.webhooks.events import WEBHOOK_EVENTS, event_type_choices
from parley.webhooks.models import Delivery, Endpoint
from parley.webhooks.signing import verify_signature
from tests.deals.helpers import bike_with_buyers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("local_hooks", "no_rate_limit")]

DEAL_TYPES = ["offer.made", "offer.countered", "offer.accepted", "offer.declined", "offer.withdrawn",
              "offer.expired", "listing.changed", "meetup.proposed", "meetup.accepted", "meetup.arrived",
              "meetup.reminder"]


def test_the_deal_events_are_selectable():
    assert set(DEAL_TYPES) <= set(WEBHOOK_EVENTS)
    labels = dict(event_type_choices())
    assert labels["offer.accepted"] == "offer.accepted (An offer is accepted)"


def test_an_endpoint_subscribed_to_offer_accepted_gets_one_signed_delivery(receiver):
    hook = Endpoint.objects.create(url=receiver.url, event_types=["offer.accepted"])
    alice, bike, b = bike_with_buyers("bob", "carol")
    (bob, bob_conv), (carol, carol_conv) = b["bob"], b["carol"]
    offer = deals.offer_make(buyer=bob, conversation=bob_conv, amount="300")
    deals.offer_make(buyer=carol, conversation=carol_conv, amount="280")
    offer = deals.offer_respond(user=alice, offer=offer, action="counter", amount="320")
    assert receiver.requests == []  # made and countered: not subscribed

    deals.offer_respond(user=bob, offer=offer, action="accept")

    assert len(receiver.requests) == 1  # both participants got the stream event; one delivery
    request = receiver.requests[0]
    assert request["headers"]["Parley-Event"] == "offer.accepted"
    assert verify_signature(hook.secret, request["headers"]["Parley-Signature"], request["body"])
    body = receiver.bodies()[0]
    assert body["type"] == "offer.accepted"
    data = body["data"]
    assert (data["offer_id"], data["conversation_id"], data["listing_id"]) == (offer.pk, bob_conv.pk, bike.pk)
    assert (data["buyer_id"], data["seller_id"], data["actor_id"]) == (bob.pk, alice.pk, bob.pk)
    assert (data["amount"], data["currency"], data["state"], data["counters"]) == ("320.00", "EUR", "accepted", 1)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.event_type == "offer.accepted"


def test_declines_and_the_listing_change_are_one_delivery_each(receiver):
    Endpoint.objects.create(url=receiver.url, event_types=["offer.declined", "listing.changed"])
    alice, bike, b = bike_with_buyers("bob", "carol", "dave")
    offers = {name: deals.offer_make(buyer=user, conversation=conv, amount="300") for name, (user, conv) in b.items()}

    deals.offer_respond(user=alice, offer=offers["bob"], action="accept")

    bodies = receiver.bodies()
    declined = sorted(p["data"]["offer_id"] for p in bodies if p["type"] == "offer.declined")
    assert declined == sorted([offers["carol"].pk, offers["dave"].pk])
    changed = [p["data"] for p in bodies if p["type"] == "listing.changed"]
    assert len(changed) == 1  # seen by the seller and three buyers: delivered once
    assert (changed[0]["listing_id"], changed[0]["kind"], changed[0]["new"], changed[0]["status"]) == (
        bike.pk, "status", "reserved", "reserved")

"""The offer state machine (services/offers.py): every legal move, and illegal ones refused
with a clear error and nothing changed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from parley.core.errors import AppError
from parley.deals import services
from parley.deals.models import ListingChange, Offer
from tests.support.events import capture_events

from .helpers import bike_with_buyers, status

pytestmark = pytest.mark.django_db


def test_make_counter_accept_reserves_and_declines_the_others():
    alice, bike, b = bike_with_buyers("bob", "carol")
    (bob, bob_conv), (carol, carol_conv) = b["bob"], b["carol"]
    with capture_events() as made:
        offer = services.offer_make(buyer=bob, conversation=bob_conv, amount="300")
    assert [(e.user_id, e.type) for e in made.events] == [(bob.pk, "offer.made"), (alice.pk, "offer.made")]
    assert made.events[0].data["offer"]["amount"] == "300.00" and offer.awaiting == "seller"
    carols = services.offer_make(buyer=carol, conversation=carol_conv, amount="280.50")

    offer = services.offer_respond(user=alice, offer=offer, action="counter", amount="320")
    assert (offer.amount, offer.awaiting, offer.counters) == (Decimal("320.00"), "buyer", 1)
    with capture_events() as accepted:
        offer = services.offer_respond(user=bob, offer=offer, action="accept")
    assert offer.state == "accepted" and status(bike) == "reserved"
    carols.refresh_from_db()
    assert (carols.state, carols.reason) == ("declined", "reserved")
    types = [(e.user_id, e.type) for e in accepted.events]
    assert (carol.pk, "offer.declined") in types and (alice.pk, "offer.declined") in types
    # Every buyer's thread (and the seller) hears that the item is reserved.
    changed = {e.user_id for e in accepted.events if e.type == "listing.changed"}
    assert changed == {alice.pk, bob.pk, carol.pk}
    line = next(e for e in accepted.events if e.type == "listing.changed").data
    assert line["listing"]["status"] == "reserved" and line["change"]["actor_name"] == "alice"
    assert ListingChange.objects.filter(listing_id=bike.pk, kind="status", new="reserved").count() == 1


def _refused(fn, code):
    before = list(Offer.objects.order_by("pk").values())
    with pytest.raises(AppError) as err:
        fn()
    assert err.value.code == code, err.value.as_dict()
    assert str(err.value.message)
    assert list(Offer.objects.order_by("pk").values()) == before, "an illegal move changes nothing"


def test_illegal_moves_are_refused_and_change_nothing():
    alice, bike, b = bike_with_buyers("bob", "carol")
    (bob, conv), (carol, carol_conv) = b["bob"], b["carol"]
    offer = services.offer_make(buyer=bob, conversation=conv, amount="300")
    _refused(lambda: services.offer_respond(user=bob, offer=offer, action="accept"), "not_your_turn")
    _refused(lambda: services.offer_make(buyer=bob, conversation=conv, amount="310"), "offer_pending")
    _refused(lambda: services.offer_make(buyer=alice, conversation=conv, amount="310"), "not_buyer")
    _refused(lambda: services.offer_respond(user=alice, offer=offer, action="withdraw"), "not_buyer")
    _refused(lambda: services.offer_respond(user=alice, offer=offer, action="counter", amount="300"), "same_amount")
    services.offer_respond(user=bob, offer=offer, action="withdraw")
    _refused(lambda: services.offer_respond(user=alice, offer=offer, action="accept"), "offer_closed")
    services.listing_status_set(user=alice, listing=bike, status="sold")
    _refused(lambda: services.offer_make(buyer=carol, conversation=carol_conv, amount="300"), "item_sold")


@pytest.mark.parametrize("amount, field_error", [
    ("-5", "more than zero"), ("0", "more than zero"), ("12.345", "decimals"), ("abc", "Enter an amount"),
    ("1000000000", "cannot be more"), (299.5, "string"), ("NaN", "Enter an amount"), ("Infinity", "Enter an amount"),
])
def test_bad_amounts_get_a_clear_error(amount, field_error):
    _alice, _bike, b = bike_with_buyers("bob")
    bob, conv = b["bob"]
    with pytest.raises(AppError) as err:
        services.offer_make(buyer=bob, conversation=conv, amount=amount)
    assert err.value.code == "invalid" and err.value.details == {"field": "amount"}
    assert field_error in str(err.value.message)
    assert not Offer.objects.exists()


def test_currency_precision_is_the_currencys():
    from parley.deals.money import parse_amount

    assert parse_amount("1500", "JPY") == Decimal("1500")
    with pytest.raises(AppError):
        parse_amount("1500.5", "JPY")
    assert parse_amount("299,5", "EUR") == Decimal("299.50")


def test_offers_expire_after_the_ttl(settings):
    settings.PARLEY_DEALS_OFFER_TTL_HOURS = 48
    alice, _bike, b = bike_with_buyers("bob")
    bob, conv = b["bob"]
    offer = services.offer_make(buyer=bob, conversation=conv, amount="300")
    assert offer.expires_at - offer.created_at == timedelta(hours=48)
    assert services.offers_expire(now=timezone.now() + timedelta(hours=47)) == 0
    with capture_events(expected=2) as got:
        assert services.offers_expire(now=timezone.now() + timedelta(hours=49)) == 1
    assert {e.type for e in got.events} == {"offer.expired"}
    offer.refresh_from_db()
    assert offer.state == "expired"
    _refused(lambda: services.offer_respond(user=alice, offer=offer, action="accept"), "offer_closed")


def test_an_offer_past_its_time_cannot_be_accepted_before_the_task_runs():
    alice, _bike, b = bike_with_buyers("bob")
    bob, conv = b["bob"]
    offer = services.offer_make(buyer=bob, conversation=conv, amount="300")
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _refused(lambda: services.offer_respond(user=alice, offer=offer, action="accept"), "offer_expired")


def test_the_expiry_command_runs_the_service(capsys):
    from django.core.management import call_command

    _alice, _bike, b = bike_with_buyers("bob")
    bob, conv = b["bob"]
    offer = services.offer_make(buyer=bob, conversation=conv, amount="300")
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    call_command("parley_deals_tick")
    assert "Expired 1 offer(s)" in capsys.readouterr().out
    offer.refresh_from_db()
    assert offer.state == "expired"


def test_a_three_decimal_currency_keeps_its_fils():
    from parley.marketplace.models import Listing

    _alice, bike, b = bike_with_buyers("bob")
    Listing.objects.filter(pk=bike.pk).update(currency="BHD")
    bob, conv = b["bob"]
    offer = services.offer_make(buyer=bob, conversation=conv, amount="12.345")
    offer.refresh_from_db()
    assert offer.amount == Decimal("12.345")
    with capture_events() as got:
        services.offer_respond(user=bob, offer=offer, action="withdraw")
    assert got.events[0].data["offer"]["amount"] == "12.345"

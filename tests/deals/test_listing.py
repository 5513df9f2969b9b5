"""Item status and price: the seller's buttons, the host's listing_changed, and who hears it."""

import pytest

from parley.core.errors import AppError
from parley.deals import services
from parley.deals.models import ListingChange, Offer
from parley.deals.selectors import deal_items_for
from tests.support.events import capture_events

from .helpers import bike_with_buyers, status

pytestmark = pytest.mark.django_db


def test_status_change_reaches_every_enquiry_thread_once_per_person():
    alice, bike, b = bike_with_buyers("bob", "carol", "dave")
    with capture_events(expected=4) as got:
        services.listing_status_set(user=alice, listing=bike, status="reserved")
    assert {e.user_id for e in got.events} == {alice.pk} | {u.pk for u, _ in b.values()}
    assert {e.type for e in got.events} == {"listing.changed"}
    data = got.events[0].data
    assert data["listing"]["status"] == "reserved"
    assert (data["change"]["kind"], data["change"]["old"], data["change"]["new"]) == ("status", "available", "reserved")
    # History reload shows the line in every thread.
    for _user, conv in b.values():
        assert [c["new"] for c in deal_items_for(conversation=conv)["changes"]] == ["reserved"]


def test_price_drop_is_a_line_with_both_amounts():
    alice, bike, b = bike_with_buyers("bob")
    with capture_events(expected=2) as got:
        services.listing_price_set(user=alice, listing=bike, price="300")
    change = got.events[0].data["change"]
    assert (change["kind"], change["old"], change["new"], change["currency"]) == ("price", "350.00", "300.00", "EUR")
    assert got.events[0].data["listing"]["price"] == "300.00"


def test_only_the_seller_changes_status_and_price():
    _alice, bike, b = bike_with_buyers("bob")
    bob, _conv = b["bob"]
    for call in (lambda: services.listing_status_set(user=bob, listing=bike, status="sold"),
                 lambda: services.listing_price_set(user=bob, listing=bike, price="1")):
        with pytest.raises(AppError) as err:
            call()
        assert err.value.code == "not_seller" and err.value.status == 403
    assert status(bike) == "available" and not ListingChange.objects.exists()


def test_selling_declines_pending_offers_and_same_status_is_refused():
    alice, bike, b = bike_with_buyers("bob")
    bob, conv = b["bob"]
    offer = services.offer_make(buyer=bob, conversation=conv, amount="300")
    services.listing_status_set(user=alice, listing=bike, status="sold")
    offer.refresh_from_db()
    assert (offer.state, offer.reason) == ("declined", "sold")
    with pytest.raises(AppError) as err:
        services.listing_status_set(user=alice, listing=bike, status="sold")
    assert err.value.code == "unchanged"
    with pytest.raises(AppError):
        services.listing_status_set(user=alice, listing=bike, status="gone")


def test_a_host_changing_its_own_listing_calls_listing_changed():
    alice, bike, b = bike_with_buyers("bob", "carol")
    bob, conv = b["bob"]
    services.offer_make(buyer=bob, conversation=conv, amount="300")
    bike.status, bike.price = "sold", 320
    bike.save()
    with capture_events() as got:
        services.listing_changed(bike, old_status="available", old_price="350.00")
    kinds = [e.data["change"]["kind"] for e in got.events if e.type == "listing.changed" and e.user_id == alice.pk]
    assert kinds == ["status", "price"]
    assert Offer.objects.get().state == "declined"
    assert ListingChange.objects.get(kind="status").actor_id == alice.pk

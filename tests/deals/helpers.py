"""Set-ups for the deals tests: a listing with enquiries from several buyers."""

from parley.marketplace.models import Listing
from tests import factories as f


def bike_with_buyers(*names, price="350.00", seller="alice"):
    """alice's bike and one conversation per buyer name; returns (alice, listing, {name: (user, conv)})."""
    alice = f.user(seller)
    bike = f.listing(seller=alice, title="Bike", price=price)
    buyers = {}
    for name in names:
        user = f.user(name)
        buyers[name] = (user, f.conversation(buyer=user, listing_obj=bike))
    return alice, bike, buyers


def status(listing) -> str:
    return Listing.objects.get(pk=listing.pk).status

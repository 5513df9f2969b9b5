"""The marketplace's search box and price filter."""

import pytest
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [listing.title for listing in response.context["listings"]]


def test_search_and_price_filter():
    alice = f.user("alice")
    f.listing(seller=alice, title="Brass desk lamp", price="25.00")
    f.listing(seller=alice, title="Floor lamp", price="60.00", description="tall, brass")
    f.listing(seller=alice, title="Road bike", price="300.00")
    c = Client()
    assert titles(c.get("/marketplace/", {"q": "LAMP"})) == ["Floor lamp", "Brass desk lamp"]
    assert titles(c.get("/marketplace/", {"q": "brass lamp"})) == ["Floor lamp", "Brass desk lamp"]
    assert titles(c.get("/marketplace/", {"min_price": "30", "max_price": "400"})) == ["Road bike", "Floor lamp"]
    assert titles(c.get("/marketplace/", {"q": "lamp", "max_price": "30"})) == ["Brass desk lamp"]
    r = c.get("/marketplace/", {"q": "zzz"})
    assert titles(r) == [] and b"No listings match" in r.content


def test_bad_prices_are_shown_not_500():
    c = Client()
    r = c.get("/marketplace/", {"min_price": "abc"})
    assert r.status_code == 200 and r.context["form"].errors
    r = c.get("/marketplace/", {"min_price": "50", "max_price": "10"})
    assert r.status_code == 200 and b"The minimum price is above the maximum price." in r.content


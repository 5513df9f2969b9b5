"""How deals changes the host's listings: status and price, through one writer.

Reading goes through conversations' listing adapter (PARLEY_LISTING_ADAPTER). Writing is
this writer, chosen by PARLEY_DEALS_LISTING_WRITER: the default sets the `status` and
`price` fields of the listing model. A host whose model names them differently subclasses it.
"""

from decimal import Decimal
from functools import lru_cache

from django.utils.module_loading import import_string

from parley.conf import settings
from parley.conversations.listings import listing_adapter, listing_model

STATUSES = ("available", "reserved", "sold")


class ListingWriter:
    def set_status(self, listing, status: str) -> None:
        listing.status = status
        listing.save(update_fields=["status"])

    def set_price(self, listing, price: Decimal) -> None:
        listing.price = price
        listing.save(update_fields=["price"])


@lru_cache(maxsize=None)
def _writer(path: str) -> ListingWriter:
    return import_string(path)()


def listing_writer() -> ListingWriter:
    return _writer(settings.PARLEY_DEALS_LISTING_WRITER)


def lock_listing(listing_id: int):
    """Return the listing, its row locked until the transaction ends (SELECT … FOR UPDATE).

    Every deal service that reads the status to decide takes this lock first, so two accepts
    of two offers on one item, on two processes, run one after the other. SQLite's IMMEDIATE
    transactions already hold the whole database; FOR UPDATE is skipped there.
    """
    return listing_model()._default_manager.select_for_update().get(pk=listing_id)


def card(listing) -> dict:
    return listing_adapter().card(listing).as_dict()


def status_of(listing) -> str:
    return listing_adapter().status(listing)


def price_of(listing):
    return listing_adapter().price(listing)


def currency_of(listing) -> str:
    return listing_adapter().currency(listing) or "EUR"


def seller_id_of(listing) -> int:
    return listing_adapter().seller_id(listing)

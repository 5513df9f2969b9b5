"""Item status and price: the seller's buttons, and the host marketplace's own changes.

`listing_status_set` and `listing_price_set` are what the conversation header calls (only
the seller). `listing_changed` is the one function a host calls after changing its own
listing model (its admin, its own pages): every enquiry thread then shows the change live,
as if the seller had used the buttons (docs/reusable-app.md, "Deals").
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.core.errors import Forbidden, Invalid
from parley.stream.append import stream_append

from ..listing import STATUSES, currency_of, listing_writer, lock_listing, price_of, seller_id_of, status_of
from ..money import money_str, parse_amount
from .common import actor_by_id, listing_audience, record_change
from .offers import decline_pending_offers


def _check_seller(user, listing) -> None:
    if user.pk != seller_id_of(listing):
        raise Forbidden(_("Only the seller can change the item's status and price."), code="not_seller")


def listing_status_set(*, user, listing, status: str):
    """Mark the item available, reserved or sold; reserving or selling declines pending offers."""
    if status not in STATUSES:
        raise Invalid(_("Choose available, reserved or sold."), field="status")
    with transaction.atomic():
        locked = lock_listing(listing.pk)
        _check_seller(user, locked)
        old = status_of(locked)
        if old == status:
            raise Invalid(_("The item already has this status."), code="unchanged", field="status")
        listing_writer().set_status(locked, status)
        _after_status(locked, user, old, status)
    return locked


def listing_price_set(*, user, listing, price):
    """Change the item's price (a Decimal in the listing's currency)."""
    with transaction.atomic():
        locked = lock_listing(listing.pk)
        _check_seller(user, locked)
        currency = currency_of(locked)
        value = parse_amount(price, currency, field="price")
        old = price_of(locked)
        if old is not None and Decimal(old) == value:
            raise Invalid(_("The item already has this price."), code="unchanged", field="price")
        listing_writer().set_price(locked, value)
        _after_price(locked, user, old, value)
    return locked


def listing_changed(listing, *, old_status: str | None = None, old_price=None, actor=None) -> None:
    """Tell every enquiry thread that the host changed `listing` (already saved).

    Pass what changed: `old_status` (the status before) and/or `old_price` (the price
    before). `actor` is the user shown in the system line ("Alice marked this item as
    reserved"); None shows the seller. Call it in or after the transaction that saved the
    listing; a status away from "available" declines the pending offers, as the buttons do.
    """
    with transaction.atomic():
        locked = lock_listing(listing.pk)
        actor = actor or _seller(locked)
        new_status = status_of(locked)
        if old_status is not None and old_status != new_status:
            _after_status(locked, actor, old_status, new_status)
        new_price = price_of(locked)
        if old_price is not None and new_price is not None and Decimal(old_price) != Decimal(new_price):
            _after_price(locked, actor, Decimal(old_price), Decimal(new_price))


def _seller(listing):
    return actor_by_id(seller_id_of(listing))


def _after_status(listing, actor, old: str, new: str) -> None:
    now = timezone.now()
    out = decline_pending_offers(listing_id=listing.pk, reason=new, now=now) if new != "available" else []
    out += record_change(listing=listing, actor=actor, kind="status", old=old, new=new, currency="", now=now,
                         audience=listing_audience(listing.pk, seller_id_of(listing)))
    stream_append(out)


def _after_price(listing, actor, old, new) -> None:
    currency = currency_of(listing)
    out = record_change(listing=listing, actor=actor, kind="price", old=money_str(old, currency) or "",
                        new=money_str(new, currency), currency=currency, now=timezone.now(),
                        audience=listing_audience(listing.pk, seller_id_of(listing)))
    stream_append(out)

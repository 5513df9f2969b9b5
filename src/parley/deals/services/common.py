"""What the deal services share: who hears about a listing, and the change record."""

from django.contrib.auth import get_user_model

from parley.conversations.selectors import conversations_about_listing

from .. import events
from ..listing import card
from ..models import ListingChange
from ..serializers import change_dict


def display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def listing_audience(listing_id: int, seller_id: int) -> list[int]:
    """The seller and every buyer with a conversation about the listing, each once."""
    ids = [seller_id]
    seen = {seller_id}
    for _cid, buyer_id, conv_seller_id in conversations_about_listing(listing_id=listing_id):
        for uid in (buyer_id, conv_seller_id):
            if uid not in seen:
                seen.add(uid)
                ids.append(uid)
    return ids


def record_change(*, listing, actor, kind: str, old: str, new: str, currency: str, now,
                  audience: list[int]) -> list[tuple[int, str, dict]]:
    """Store one ListingChange and return the listing.changed events for `audience`.

    Caller holds the transaction and the listing's row lock; the listing is already changed.
    """
    change = ListingChange.objects.create(listing_id=listing.pk, actor=actor, kind=kind, old=old, new=new,
                                          currency=currency, created_at=now)
    etype, data = events.listing_changed(card=card(listing), change=change_dict(change, display_name(actor)))
    return [(uid, etype, data) for uid in audience]


def actor_by_id(user_id):
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None

"""Plain dicts for the wire: offers, listing changes, meet-ups. Models never go on the wire."""

from parley.conversations.serializers import iso

from .models import ListingChange, Meetup, Offer
from .money import money_str


def offer_dict(offer: Offer) -> dict:
    return {
        "id": offer.pk,
        "conversation_id": offer.conversation_id,
        "listing_id": offer.listing_id,
        "buyer_id": offer.buyer_id,
        "seller_id": offer.seller_id,
        "amount": money_str(offer.amount, offer.currency),
        "first_amount": money_str(offer.first_amount, offer.currency),
        "currency": offer.currency,
        "state": offer.state,
        "awaiting": offer.awaiting,
        "counters": offer.counters,
        "reason": offer.reason,
        "created_at": iso(offer.created_at),
        "updated_at": iso(offer.updated_at),
        "expires_at": iso(offer.expires_at),
    }


def change_dict(change: ListingChange, actor_name: str) -> dict:
    return {
        "id": change.pk,
        "listing_id": change.listing_id,
        "kind": change.kind,
        "old": change.old,
        "new": change.new,
        "currency": change.currency,
        "actor_id": change.actor_id,
        "actor_name": actor_name,
        "at": iso(change.created_at),
    }


def meetup_dict(meetup: Meetup) -> dict:
    return {
        "id": meetup.pk,
        "conversation_id": meetup.conversation_id,
        "proposer_id": meetup.proposer_id,
        "at": iso(meetup.at),
        "place": meetup.place,
        "address": meetup.address,
        "state": meetup.state,
        "buyer_here_at": iso(meetup.buyer_here_at),
        "seller_here_at": iso(meetup.seller_here_at),
        "created_at": iso(meetup.created_at),
    }

"""The only place deals events are built. Each is documented in docs/protocol.md."""

from parley.stream.schemas import event_schema

from .schemas import ListingChanged, MeetupEvent, OfferEvent

LISTING_CHANGED = "listing.changed"
OFFER_TYPES = {
    "made": "offer.made",
    "countered": "offer.countered",
    "accepted": "offer.accepted",
    "declined": "offer.declined",
    "withdrawn": "offer.withdrawn",
    "expired": "offer.expired",
}
MEETUP_TYPES = {
    "proposed": "meetup.proposed",
    "accepted": "meetup.accepted",
    "arrived": "meetup.arrived",
    "reminder": "meetup.reminder",
}

event_schema(LISTING_CHANGED, ListingChanged)
for _type in OFFER_TYPES.values():
    event_schema(_type, OfferEvent)
for _type in MEETUP_TYPES.values():
    event_schema(_type, MeetupEvent)


def listing_changed(*, card: dict, change: dict) -> tuple[str, dict]:
    return LISTING_CHANGED, {"listing": card, "change": change}


def offer_event(move: str, *, offer: dict, actor_id: int | None) -> tuple[str, dict]:
    """`move` is one of OFFER_TYPES: made, countered, accepted, declined, withdrawn, expired."""
    return OFFER_TYPES[move], {"offer": offer, "actor_id": actor_id}


def meetup_event(move: str, *, meetup: dict, actor_id: int | None) -> tuple[str, dict]:
    return MEETUP_TYPES[move], {"meetup": meetup, "actor_id": actor_id}

"""The deal services: the only writers of offers, listing changes and meet-ups."""

from .listing import listing_changed, listing_price_set, listing_status_set
from .meetups import meetup_accept, meetup_here, meetup_propose, meetups_remind
from .offers import offer_make, offer_respond, offers_expire

__all__ = [
    "listing_changed", "listing_price_set", "listing_status_set",
    "meetup_accept", "meetup_here", "meetup_propose", "meetups_remind",
    "offer_make", "offer_respond", "offers_expire",
]

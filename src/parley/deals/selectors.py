"""Reads. Selectors never change anything."""

from datetime import timedelta
from statistics import median

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from parley.conf import settings
from parley.conversations.selectors import first_reply_delays

from .models import ListingChange, Meetup, Offer, SafePlace
from .serializers import change_dict, meetup_dict, offer_dict

# (upper bound in seconds, the phrase) for the seller's median first reply.
RESPONSE_BUCKETS = (
    (3600, "hour"),
    (3 * 3600, "hours"),
    (24 * 3600, "day"),
)


def deal_items_for(*, conversation) -> dict:
    """Everything the conversation's history shows from deals: offers, listing changes since
    the conversation began, meet-ups. Each kind oldest first."""
    changes = (ListingChange.objects.filter(listing_id=conversation.listing_id, created_at__gte=conversation.created_at)
               .select_related("actor").order_by("created_at", "pk"))
    return {
        "offers": [offer_dict(o) for o in Offer.objects.filter(conversation_id=conversation.pk).order_by("created_at", "pk")],
        "changes": [change_dict(c, _name(c.actor)) for c in changes],
        "meetups": [meetup_dict(m) for m in Meetup.objects.filter(conversation_id=conversation.pk).order_by("created_at", "pk")],
    }


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def safe_places() -> list[dict]:
    return [{"id": p.pk, "name": p.name, "address": p.address, "city": p.city}
            for p in SafePlace.objects.filter(active=True)]


def response_time_for(*, seller_id: int, now=None) -> dict | None:
    """The seller's typical first reply over the last PARLEY_DEALS_RESPONSE_DAYS days:
    {"bucket": "hour"|"hours"|"day"|"days", "text": …, "samples": n, "median_s": …}, or None
    with fewer than PARLEY_DEALS_RESPONSE_MIN_SAMPLES answered conversations."""
    now = now or timezone.now()
    delays = first_reply_delays(seller_id=seller_id, since=now - timedelta(days=settings.PARLEY_DEALS_RESPONSE_DAYS))
    if len(delays) < settings.PARLEY_DEALS_RESPONSE_MIN_SAMPLES:
        return None
    typical = median(delays)
    bucket = next((name for bound, name in RESPONSE_BUCKETS if typical <= bound), "days")
    return {"bucket": bucket, "text": response_text(bucket), "samples": len(delays), "median_s": round(typical)}


def response_text(bucket: str) -> str:
    return {
        "hour": _("Usually replies within an hour"),
        "hours": _("Usually replies within a few hours"),
        "day": _("Usually replies within a day"),
        "days": _("Usually replies within a few days"),
    }[bucket]


def user_name(user_id: int) -> str:
    return _name(get_user_model().objects.filter(pk=user_id).first())

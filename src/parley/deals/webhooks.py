"""The deal events offered to webhooks (docs/webhooks.md): one delivery per domain event.

Stream events are per recipient; each builder keeps one copy (the buyer's for offers, the
seller's for a listing change, the proposer's for a meet-up) and drops the others. Deals sits
on a layer above webhooks, so it registers its own types (`register_webhook_event`).
"""

from django.utils.translation import gettext_lazy as _

from parley.webhooks.events import WebhookEvent, register_webhook_event

from .events import LISTING_CHANGED, MEETUP_TYPES, OFFER_TYPES

OFFER_LABELS = {
    "made": _("An offer is made"),
    "countered": _("An offer is countered"),
    "accepted": _("An offer is accepted"),
    "declined": _("An offer is declined"),
    "withdrawn": _("An offer is withdrawn"),
    "expired": _("An offer expires"),
}
MEETUP_LABELS = {
    "proposed": _("A meet-up is proposed"),
    "accepted": _("A meet-up is accepted"),
    "arrived": _("Someone is at the meet-up"),
    "reminder": _("A meet-up is an hour away"),
}


def _offer(etype: str):
    def build(user_id: int, data: dict):
        offer = data["offer"]
        if user_id != offer["buyer_id"]:
            return None  # the buyer's copy only: one delivery per move
        return f"{etype}:{offer['id']}:{offer['counters']}", {
            "offer_id": offer["id"],
            "conversation_id": offer["conversation_id"],
            "listing_id": offer["listing_id"],
            "buyer_id": offer["buyer_id"],
            "seller_id": offer["seller_id"],
            "actor_id": data["actor_id"],
            "amount": offer["amount"],
            "first_amount": offer["first_amount"],
            "currency": offer["currency"],
            "state": offer["state"],
            "awaiting": offer["awaiting"],
            "counters": offer["counters"],
            "reason": offer["reason"],
            "created_at": offer["created_at"],
            "updated_at": offer["updated_at"],
            "expires_at": offer["expires_at"],
        }
    return build


def _listing_changed(user_id: int, data: dict):
    listing, change = data["listing"], data["change"]
    if user_id != listing["seller_id"]:
        return None  # the seller's copy only (the buyers of every enquiry get one each)
    return f"{LISTING_CHANGED}:{change['id']}", {
        "listing_id": listing["id"],
        "seller_id": listing["seller_id"],
        "actor_id": change["actor_id"],
        "kind": change["kind"],
        "old": change["old"],
        "new": change["new"],
        "currency": change["currency"],
        "status": listing["status"],
        "price": listing["price"],
        "at": change["at"],
    }


def _meetup(etype: str):
    def build(user_id: int, data: dict):
        meetup = data["meetup"]
        if user_id != meetup["proposer_id"]:
            return None  # the proposer's copy only
        return f"{etype}:{meetup['id']}:{data['actor_id'] or ''}", {
            "meetup_id": meetup["id"],
            "conversation_id": meetup["conversation_id"],
            "proposer_id": meetup["proposer_id"],
            "actor_id": data["actor_id"],
            "at": meetup["at"],
            "place": meetup["place"],
            "address": meetup["address"],
            "state": meetup["state"],
            "buyer_here_at": meetup["buyer_here_at"],
            "seller_here_at": meetup["seller_here_at"],
        }
    return build


def register() -> None:
    """Offer the deal events to webhooks (called from DealsConfig.ready)."""
    for move, etype in OFFER_TYPES.items():
        register_webhook_event(WebhookEvent(etype, OFFER_LABELS[move], _offer(etype)))
    register_webhook_event(WebhookEvent(LISTING_CHANGED, _("An item's status or price changes"), _listing_changed))
    for move, etype in MEETUP_TYPES.items():
        register_webhook_event(WebhookEvent(etype, MEETUP_LABELS[move], _meetup(etype)))

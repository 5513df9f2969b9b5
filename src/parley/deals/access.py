"""The one access check per kind of deal object: participants only, the same 404 otherwise."""

from django.utils.translation import gettext_lazy as _

from parley.conversations.access import conversation_for
from parley.core.errors import NotFound
from parley.core.ids import database_id

from .models import Meetup, Offer

__all__ = ["conversation_for", "offer_for", "meetup_for"]


def offer_for(user, offer_id) -> Offer:
    """Return an offer of a conversation `user` takes part in, else raise NotFound."""
    pk = database_id(offer_id)
    offer = Offer.objects.filter(pk=pk).first() if pk and user.is_authenticated else None
    if offer is None or user.pk not in (offer.buyer_id, offer.seller_id):
        raise NotFound(_("Offer not found."))
    return offer


def meetup_for(user, meetup_id) -> Meetup:
    """Return a meet-up of a conversation `user` takes part in, else raise NotFound."""
    pk = database_id(meetup_id)
    meetup = Meetup.objects.select_related("conversation").filter(pk=pk).first() if pk and user.is_authenticated else None
    if meetup is None or user.pk not in meetup.conversation.participant_ids():
        raise NotFound(_("Meet-up not found."))
    return meetup

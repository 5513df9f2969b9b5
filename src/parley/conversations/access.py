"""The one access check per kind of object: missing and not-yours raise the same NotFound."""

from parley.core.errors import NotFound

from .listings import listing_model
from .models import Conversation


def conversation_for(user, conversation_id) -> Conversation:
    """Return the conversation if `user` takes part in it, else raise NotFound."""
    try:
        conversation_id = int(conversation_id)
    except (TypeError, ValueError):
        raise NotFound("Conversation not found.") from None
    if not getattr(user, "is_authenticated", False):
        raise NotFound("Conversation not found.")
    conversation = (
        Conversation.objects.select_related("listing", "buyer", "seller", "last_message")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None or user.pk not in conversation.participant_ids():
        raise NotFound("Conversation not found.")
    return conversation


def listing_for(listing_id):
    """Return a listing anyone may see, else raise NotFound."""
    try:
        listing_id = int(listing_id)
    except (TypeError, ValueError):
        raise NotFound("Listing not found.") from None
    listing = listing_model()._default_manager.filter(pk=listing_id).first()
    if listing is None:
        raise NotFound("Listing not found.")
    return listing

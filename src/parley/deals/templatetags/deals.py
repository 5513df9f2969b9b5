"""`{% deals_page_data conversation user as data %}`: what the conversation page's deal bar needs."""

from django import template
from django.utils.translation import gettext as _

from ..client_strings import client_strings
from ..listing import card
from ..selectors import deal_items_for, response_time_for, safe_places

register = template.Library()


@register.simple_tag
def deals_page_data(conversation, user) -> dict:
    listing = card(conversation.listing)
    response = response_time_for(seller_id=conversation.seller_id)
    return {
        "conversation_id": conversation.pk,
        "listing": listing,
        "role": "seller" if user.pk == conversation.seller_id else "buyer",
        "me": {"id": user.pk, "name": user.get_full_name() or user.get_username()},
        "buyer_id": conversation.buyer_id,
        "seller_id": conversation.seller_id,
        "response_time": response["text"] if response else None,
        "items": deal_items_for(conversation=conversation),
        "safe_places": safe_places(),
        "strings": client_strings(),
        "map_url": "https://www.openstreetmap.org/search?query=",
        "label_status": _("Status"),
    }


@register.simple_tag
def seller_response_time(seller_id) -> str:
    """The seller's typical response time ("Usually replies within an hour"), or "" without enough data."""
    response = response_time_for(seller_id=seller_id)
    return response["text"] if response else ""

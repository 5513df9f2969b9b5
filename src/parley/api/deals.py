"""/api/v1/ deals endpoints (parley.deals): offers, the item's status and price, a conversation's
deal items. The frames `offer_make`, `offer_respond` and `listing_update` (docs/protocol.md) do
the same over the socket; both call deals.access and the same services."""

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from parley.core.schemas import Wire
from parley.deals import selectors, services
from parley.deals.access import conversation_for, offer_for
from parley.deals.listing import card
from parley.deals.schemas import ChangeOut, ListingCardOut, MeetupOut, OfferOut
from parley.deals.serializers import offer_dict

from .schemas import ERRORS

router = Router(tags=["deals"])


class AmountIn(Schema):
    amount: str = Field(..., description="A decimal string in the listing's currency (\"299.50\"); never a float.")


class ListingIn(Schema):
    status: str | None = Field(None, description="available, reserved or sold.")
    price: str | None = Field(None, description="A decimal string in the listing's currency.")


class OfferEnvelope(Wire):
    offer: OfferOut


class ListingEnvelope(Wire):
    listing: ListingCardOut


class DealsOut(Wire):
    offers: list[OfferOut] = Field(description="Oldest first.")
    changes: list[ChangeOut] = Field(description="The listing's status and price changes since the conversation began.")
    meetups: list[MeetupOut]


@router.get("/conversations/{int:conversation_id}/deals", response={200: DealsOut, **ERRORS})
def deals_list(request: HttpRequest, conversation_id: int):
    """The offers, listing changes and meet-ups a conversation's history shows."""
    conversation = conversation_for(request.user, conversation_id)
    return selectors.deal_items_for(conversation=conversation)


@router.post("/conversations/{int:conversation_id}/offers", response={201: OfferEnvelope, **ERRORS})
def offer_create(request: HttpRequest, conversation_id: int, payload: AmountIn):
    """Make an offer (the buyer): 201; 409 when the item is not available or an offer is pending."""
    conversation = conversation_for(request.user, conversation_id)
    offer = services.offer_make(buyer=request.user, conversation=conversation, amount=payload.amount)
    return Status(201, {"offer": offer_dict(offer)})


def _respond(request, offer_id, action: str, amount=None) -> dict:
    offer = services.offer_respond(user=request.user, offer=offer_for(request.user, offer_id), action=action, amount=amount)
    return {"offer": offer_dict(offer)}


@router.post("/offers/{int:offer_id}/accept", response={200: OfferEnvelope, **ERRORS})
def offer_accept(request: HttpRequest, offer_id: int):
    """Accept the offer (the side it waits for): the item is reserved, other pending offers declined."""
    return _respond(request, offer_id, "accept")


@router.post("/offers/{int:offer_id}/decline", response={200: OfferEnvelope, **ERRORS})
def offer_decline(request: HttpRequest, offer_id: int):
    """Decline the offer (the side it waits for)."""
    return _respond(request, offer_id, "decline")


@router.post("/offers/{int:offer_id}/counter", response={200: OfferEnvelope, **ERRORS})
def offer_counter(request: HttpRequest, offer_id: int, payload: AmountIn):
    """Counter with another amount (the side it waits for); then it waits for the other side."""
    return _respond(request, offer_id, "counter", payload.amount)


@router.post("/offers/{int:offer_id}/withdraw", response={200: OfferEnvelope, **ERRORS})
def offer_withdraw(request: HttpRequest, offer_id: int):
    """Withdraw the offer (the buyer)."""
    return _respond(request, offer_id, "withdraw")


@router.patch("/conversations/{int:conversation_id}/listing", response={200: ListingEnvelope, **ERRORS})
def listing_update(request: HttpRequest, conversation_id: int, payload: ListingIn):
    """Change the item's status and/or price (the seller): every enquiry thread shows it live."""
    listing = conversation_for(request.user, conversation_id).listing
    if payload.status is not None:
        listing = services.listing_status_set(user=request.user, listing=listing, status=payload.status)
    if payload.price is not None:
        listing = services.listing_price_set(user=request.user, listing=listing, price=payload.price)
    return {"listing": card(listing)}

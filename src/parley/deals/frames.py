"""The deals frames of the WebSocket and its HTTP fallback (docs/protocol.md, "Deals").

Thin adapters: access (participants only, 404 otherwise), one service call, a reply.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field, StrictStr

from parley.core.frames import DatabaseId, FrameIn, frames

from . import services
from .access import conversation_for, meetup_for, offer_for
from .listing import card
from .schemas import ListingAck, MeetupAck, OfferAck
from .serializers import meetup_dict, offer_dict

Amount = StrictStr | int


class OfferMakeIn(FrameIn):
    type: Literal["offer_make"]
    conversation_id: DatabaseId
    amount: Amount = Field(description="A decimal string (\"299.50\") or an integer, in the listing's currency; never a float.")


class OfferRespondIn(FrameIn):
    type: Literal["offer_respond"]
    offer_id: DatabaseId
    action: Literal["accept", "decline", "counter", "withdraw"]
    amount: Amount | None = Field(None, description="The counter's amount (counter only).")


class ListingUpdateIn(FrameIn):
    type: Literal["listing_update"]
    conversation_id: DatabaseId
    status: Literal["available", "reserved", "sold"] | None = Field(None, description="The item's new status.")
    price: Amount | None = Field(None, description="The item's new price, in its currency.")


class MeetupProposeIn(FrameIn):
    type: Literal["meetup_propose"]
    conversation_id: DatabaseId
    at: datetime = Field(description="When, ISO 8601 with a time zone.")
    place: StrictStr = Field("", description="Where, 1 to 200 characters; or safe_place_id.")
    safe_place_id: DatabaseId | None = Field(None, description="One of the marketplace's safe places.")


class MeetupAcceptIn(FrameIn):
    type: Literal["meetup_accept"]
    meetup_id: DatabaseId


class MeetupHereIn(FrameIn):
    type: Literal["meetup_here"]
    meetup_id: DatabaseId


@frames.frame(OfferMakeIn, reply=OfferAck)
def offer_make(user, data: OfferMakeIn) -> dict:
    conversation = conversation_for(user, data.conversation_id)
    offer = services.offer_make(buyer=user, conversation=conversation, amount=data.amount)
    return {"type": "ack", "offer": offer_dict(offer)}


@frames.frame(OfferRespondIn, reply=OfferAck)
def offer_respond(user, data: OfferRespondIn) -> dict:
    offer = offer_for(user, data.offer_id)
    offer = services.offer_respond(user=user, offer=offer, action=data.action, amount=data.amount)
    return {"type": "ack", "offer": offer_dict(offer)}


@frames.frame(ListingUpdateIn, reply=ListingAck)
def listing_update(user, data: ListingUpdateIn) -> dict:
    conversation = conversation_for(user, data.conversation_id)
    listing = conversation.listing
    if data.status is not None:
        listing = services.listing_status_set(user=user, listing=listing, status=data.status)
    if data.price is not None:
        listing = services.listing_price_set(user=user, listing=listing, price=data.price)
    return {"type": "ack", "listing": card(listing)}


@frames.frame(MeetupProposeIn, reply=MeetupAck)
def meetup_propose(user, data: MeetupProposeIn) -> dict:
    conversation = conversation_for(user, data.conversation_id)
    meetup = services.meetup_propose(user=user, conversation=conversation, at=data.at, place=data.place,
                                     safe_place_id=data.safe_place_id)
    return {"type": "ack", "meetup": meetup_dict(meetup)}


@frames.frame(MeetupAcceptIn, reply=MeetupAck)
def meetup_accept(user, data: MeetupAcceptIn) -> dict:
    meetup = services.meetup_accept(user=user, meetup=meetup_for(user, data.meetup_id))
    return {"type": "ack", "meetup": meetup_dict(meetup)}


@frames.frame(MeetupHereIn, reply=MeetupAck)
def meetup_here(user, data: MeetupHereIn) -> dict:
    meetup = services.meetup_here(user=user, meetup=meetup_for(user, data.meetup_id))
    return {"type": "ack", "meetup": meetup_dict(meetup)}

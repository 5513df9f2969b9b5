"""The schemas of what the deals app sends (docs/protocol.md, "Deals")."""

from typing import Literal

from pydantic import Field

from parley.core.frames import ReplyOut
from parley.core.schemas import Wire
from parley.stream.schemas import Payload

OfferState = Literal["pending", "accepted", "declined", "withdrawn", "expired"]


class OfferOut(Wire):
    id: int
    conversation_id: int
    listing_id: int
    buyer_id: int
    seller_id: int
    amount: str = Field(description="The amount on the table now, a decimal string in the currency's precision (\"300.00\").")
    first_amount: str = Field(description="The buyer's first amount.")
    currency: str = Field(description="ISO 4217, the listing's currency.")
    state: OfferState
    awaiting: Literal["buyer", "seller"] = Field(description="Whose answer a pending offer waits for.")
    counters: int = Field(description="How many counters were made.")
    reason: Literal["", "reserved", "sold"] = Field(description="Why a declined offer was declined: \"\" by the person, else automatically.")
    created_at: str
    updated_at: str
    expires_at: str = Field(description="A pending offer expires then (PARLEY_DEALS_OFFER_TTL_HOURS after its last move).")


class ListingCardOut(Wire):
    id: int
    title: str
    price: str | None
    currency: str
    photo_url: str
    seller_id: int
    status: str = Field(description="available, reserved or sold.")
    status_label: str
    url: str


class ChangeOut(Wire):
    id: int
    listing_id: int
    kind: Literal["status", "price"]
    old: str = Field(description="The status, or the price as a decimal string, before.")
    new: str
    currency: str = Field(description="For a price change; \"\" for a status change.")
    actor_id: int | None = Field(description="The seller who changed it; null when the host's own code did.")
    actor_name: str
    at: str


class MeetupOut(Wire):
    id: int
    conversation_id: int
    proposer_id: int
    at: str = Field(description="When, ISO 8601 UTC.")
    place: str
    address: str
    state: Literal["proposed", "accepted", "replaced"]
    buyer_here_at: str | None = Field(description="When the buyer tapped I'm here.")
    seller_here_at: str | None
    created_at: str


class ListingChanged(Payload):
    """`listing.changed`: to the seller and every buyer in a conversation about the listing."""

    listing: ListingCardOut
    change: ChangeOut


class OfferEvent(Payload):
    """`offer.*`: to the buyer and the seller of the offer."""

    offer: OfferOut
    actor_id: int | None = Field(description="Who moved it; null for an automatic move (expiry, the item reserved or sold).")


class MeetupEvent(Payload):
    """`meetup.*`: to both participants."""

    meetup: MeetupOut
    actor_id: int | None


class OfferAck(ReplyOut):
    type: Literal["ack"]
    offer: OfferOut


class ListingAck(ReplyOut):
    type: Literal["ack"]
    listing: ListingCardOut


class MeetupAck(ReplyOut):
    type: Literal["ack"]
    meetup: MeetupOut

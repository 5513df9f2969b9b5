"""The offer state machine: the one writer of offers.

    pending --counter--> pending (the other side's turn)
    pending --accept--> accepted     (the item is reserved; every other pending offer on it is declined)
    pending --decline--> declined    (also automatic when the item is reserved or sold)
    pending --withdraw--> withdrawn  (the buyer, at any point)
    pending --expire--> expired      (PARLEY_DEALS_OFFER_TTL_HOURS after its last move)

Every move locks the listing row first, then the offer (one order, so no deadlocks), and
re-reads both under the lock: a move is decided on committed data only. Anything else
raises an AppError and changes nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.conf import settings
from parley.core.errors import Conflict, Forbidden, lazy_format
from parley.stream.append import stream_append

from .. import events
from ..listing import currency_of, listing_writer, lock_listing, seller_id_of, status_of
from ..models import Offer
from ..money import parse_amount
from ..serializers import offer_dict
from .common import listing_audience, record_change

ACTIONS = ("accept", "decline", "counter", "withdraw")
STATUS_WORDS = {"reserved": _("reserved"), "sold": _("sold"), "available": _("available")}
STATE_WORDS = {"accepted": _("accepted"), "declined": _("declined"), "withdrawn": _("withdrawn"), "expired": _("expired")}


class OfferRefused(Conflict):
    code = "offer_refused"


def _ttl() -> timedelta:
    return timedelta(hours=settings.PARLEY_DEALS_OFFER_TTL_HOURS)


def _role(offer_or_conv, user) -> str:
    return "buyer" if user.pk == offer_or_conv.buyer_id else "seller"


def offer_make(*, buyer, conversation, amount) -> Offer:
    """The buyer of `conversation` offers `amount` in the listing's currency."""
    if buyer.pk != conversation.buyer_id:
        raise Forbidden(_("Only the buyer can make an offer; answer theirs with Accept, Decline or Counter."),
                        code="not_buyer")
    with transaction.atomic():
        listing = lock_listing(conversation.listing_id)
        currency = currency_of(listing)
        value = parse_amount(amount, currency)
        status = status_of(listing)
        if status != "available":
            raise OfferRefused(lazy_format(_("This item is no longer available: it is %(status)s."),
                                           status=STATUS_WORDS.get(status, status)), code=f"item_{status}")
        if Offer.objects.filter(conversation_id=conversation.pk, state=Offer.State.PENDING).exists():
            raise OfferRefused(_("You already have an offer waiting for an answer: withdraw it first, or wait."),
                               code="offer_pending")
        now = timezone.now()
        offer = Offer.objects.create(
            conversation_id=conversation.pk, listing_id=listing.pk, buyer_id=conversation.buyer_id,
            seller_id=seller_id_of(listing), amount=value, first_amount=value, currency=currency,
            awaiting=Offer.Role.SELLER, created_at=now, updated_at=now, expires_at=now + _ttl(),
        )
        _tell(offer, "made", actor_id=buyer.pk)
    return offer


def offer_respond(*, user, offer: Offer, action: str, amount=None) -> Offer:
    """Accept, decline, counter or withdraw `offer` as `user` (a participant: access checked)."""
    if action not in ACTIONS:
        raise OfferRefused(_("Choose accept, decline, counter or withdraw."), code="invalid_action")
    with transaction.atomic():
        listing = lock_listing(offer.listing_id)
        offer = Offer.objects.select_for_update().get(pk=offer.pk)
        _check_move(offer, user, action)
        now = timezone.now()
        extra: list = []
        if action == "counter":
            value = parse_amount(amount, offer.currency)
            if value == offer.amount:
                raise OfferRefused(_("A counter needs a different amount."), code="same_amount")
            offer.amount, offer.counters = value, offer.counters + 1
            offer.awaiting = Offer.Role.BUYER if offer.awaiting == Offer.Role.SELLER else Offer.Role.SELLER
            offer.expires_at = now + _ttl()
            move = "countered"
        elif action == "accept":
            if status_of(listing) != "available":
                raise OfferRefused(_("This item is not available any more, so the offer cannot be accepted."),
                                   code=f"item_{status_of(listing)}")
            offer.state, move = Offer.State.ACCEPTED, "accepted"
            extra = _reserve_for(listing, offer, now)
        elif action == "decline":
            offer.state, move = Offer.State.DECLINED, "declined"
        else:
            offer.state, move = Offer.State.WITHDRAWN, "withdrawn"
        offer.updated_at = now
        offer.save()
        _tell(offer, move, actor_id=user.pk, then=extra)
    return offer


def _check_move(offer: Offer, user, action: str) -> None:
    if offer.state != Offer.State.PENDING:
        raise OfferRefused(lazy_format(_("This offer is %(state)s: it cannot be answered any more."),
                                       state=STATE_WORDS[offer.state]), code="offer_closed", state=offer.state)
    if offer.expires_at <= timezone.now():
        raise OfferRefused(_("This offer has expired: make a new one."), code="offer_expired")
    role = _role(offer, user)
    if action == "withdraw":
        if role != "buyer":
            raise Forbidden(_("Only the buyer can withdraw an offer; decline it instead."), code="not_buyer")
    elif role != offer.awaiting:
        raise Forbidden(_("It is the other side's turn to answer this offer."), code="not_your_turn")


def _reserve_for(listing, offer: Offer, now) -> list:
    """Reserve the item for the accepted offer; decline every other pending offer on it.

    Caller holds the listing's row lock. Returns the events to append after the offer's own.
    """
    seller = offer.seller
    listing_writer().set_status(listing, "reserved")
    out = _decline_pending(listing.pk, now, reason="reserved", keep=offer.pk)
    out += record_change(listing=listing, actor=seller, kind="status", old="available", new="reserved",
                         currency="", now=now, audience=listing_audience(listing.pk, offer.seller_id))
    return out


def _decline_pending(listing_id: int, now, *, reason: str, keep: int | None = None) -> list:
    """Decline every pending offer on the listing but `keep`; return their events."""
    out = []
    others = Offer.objects.select_for_update().filter(listing_id=listing_id, state=Offer.State.PENDING).exclude(pk=keep).order_by("pk")
    for other in others:
        other.state, other.reason, other.updated_at = Offer.State.DECLINED, reason, now
        other.save(update_fields=["state", "reason", "updated_at"])
        out += _events(other, "declined", actor_id=None)
    return out


def decline_pending_offers(*, listing_id: int, reason: str, now) -> list:
    """For the listing services: the item is no longer available. Caller holds the listing lock."""
    return _decline_pending(listing_id, now, reason=reason)


def offers_expire(*, now=None) -> int:
    """Expire every pending offer past its time; return how many. One transaction per listing."""
    now = now or timezone.now()
    done = 0
    listing_ids = (Offer.objects.filter(state=Offer.State.PENDING, expires_at__lte=now)
                   .values_list("listing_id", flat=True).distinct())
    for listing_id in list(listing_ids):
        with transaction.atomic():
            lock_listing(listing_id)
            due = Offer.objects.select_for_update().filter(listing_id=listing_id, state=Offer.State.PENDING,
                                                           expires_at__lte=now).order_by("pk")
            out = []
            for offer in due:
                offer.state, offer.updated_at = Offer.State.EXPIRED, now
                offer.save(update_fields=["state", "updated_at"])
                out += _events(offer, "expired", actor_id=None)
                done += 1
            stream_append(out)
    return done


def _events(offer: Offer, move: str, *, actor_id) -> list:
    etype, data = events.offer_event(move, offer=offer_dict(offer), actor_id=actor_id)
    return [(offer.buyer_id, etype, data), (offer.seller_id, etype, data)]


def _tell(offer: Offer, move: str, *, actor_id, then: list = ()) -> None:
    stream_append(_events(offer, move, actor_id=actor_id) + list(then))

"""Conversations: start one, move a read mark."""

from collections import Counter

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.core.active import require_active
from parley.core.errors import Forbidden, Invalid
from parley.core.ratelimit import rate_limit_many
from parley.stream.append import stream_append, stream_reserve

from .. import events
from ..listings import listing_adapter
from ..models import Conversation, Participant
from ..selectors import unread_total_for
from .limits import start_rate

_START_TOO_FAST = gettext_lazy("You are starting conversations too fast. Try again in %(seconds)d s.")


def conversation_start(*, buyer, listing) -> tuple[Conversation, bool]:
    """Return the buyer's conversation about this listing, creating it the first time."""
    seller_id = listing_adapter().seller_id(listing)
    if seller_id == buyer.pk:
        raise Forbidden(_("This is your own listing: you cannot message yourself about it."), code="own_listing")
    existing = Conversation.objects.filter(listing_id=listing.pk, buyer_id=buyer.pk).first()
    if existing:
        return existing, False
    rate = start_rate(buyer)  # counted only for a conversation that does not exist yet
    if rate:
        (refused,) = rate_limit_many([f"start:{buyer.pk}"], rate=rate, message=_START_TOO_FAST)
        if refused:
            raise refused
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                listing=listing, buyer_id=buyer.pk, seller_id=seller_id, last_activity_at=timezone.now()
            )
            Participant.objects.bulk_create(
                [
                    Participant(conversation=conversation, user_id=buyer.pk, role=Participant.Role.BUYER),
                    Participant(conversation=conversation, user_id=seller_id, role=Participant.Role.SELLER),
                ]
            )
    except IntegrityError:
        # A double click raced us to it: the first one won, and this is the same conversation.
        return Conversation.objects.get(listing_id=listing.pk, buyer_id=buyer.pk), False
    return conversation, True


def conversation_mark_read(*, user, conversation, seq: int | None = None) -> int:
    """Move the user's read mark forward to `seq` (default: the last message); return it.

    A mark never moves backwards: an older seq leaves it where it is and publishes nothing.
    """
    require_active(user)
    if seq is not None:
        try:
            seq = int(seq)
        except (TypeError, ValueError):
            raise Invalid(_("seq must be a whole number."), field="seq") from None
        if seq < 0:
            raise Invalid(_("seq must be a whole number."), field="seq")
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        target = locked.last_seq if seq is None else min(seq, locked.last_seq)
        moved = Participant.objects.filter(
            conversation_id=conversation.pk, user_id=user.pk, last_read_seq__lt=target
        ).update(last_read_seq=target)
        if not moved:
            return Participant.objects.get(conversation_id=conversation.pk, user_id=user.pk).last_read_seq
        other_id = conversation.other_user_id(user.pk)
        reserved = stream_reserve(Counter((user.pk, other_id)))
        mine = events.conversation_read(
            conversation_id=conversation.pk,
            reader_id=user.pk,
            seq=target,
            unread=max(locked.last_seq - target, 0),
            unread_total=unread_total_for(user=user),
        )
        theirs = events.conversation_read(conversation_id=conversation.pk, reader_id=user.pk, seq=target)
        stream_append([(user.pk, *mine), (other_id, *theirs)], reserved=reserved)
    return target

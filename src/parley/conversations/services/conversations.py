"""Conversations: start one, move a read mark (forward when read, back for "Mark as unread")."""

from collections import Counter

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.core.active import require_active
from parley.core.errors import Forbidden, Invalid
from parley.core.ratelimit import rate_limit_many
from parley.stream.append import stream_append, stream_open, stream_reserve

from .. import events
from ..listings import listing_adapter
from ..models import Conversation, Message, Participant
from ..policy import require_may_message
from ..privacy import read_receipts_on
from ..selectors import inbox_filters_of, inbox_moves
from ..serializers import conversation_summary
from .limits import start_rate
from .unread import unread_move

_START_TOO_FAST = gettext_lazy("You are starting conversations too fast. Try again in %(seconds)d s.")


def conversation_start(*, buyer, listing) -> tuple[Conversation, bool]:
    """Return the buyer's conversation about this listing, creating it the first time."""
    seller_id = listing_adapter().seller_id(listing)
    if seller_id == buyer.pk:
        raise Forbidden(_("This is your own listing: you cannot message yourself about it."), code="own_listing")
    existing = Conversation.objects.filter(listing_id=listing.pk, buyer_id=buyer.pk).first()
    if existing:
        return existing, False
    require_may_message(buyer.pk, seller_id)  # a refused start is not counted against the rate
    rate = start_rate(buyer)  # counted only for a conversation that does not exist yet
    if rate:
        (refused,) = rate_limit_many([f"start:{buyer.pk}"], rate=rate, message=_START_TOO_FAST)
        if refused:
            raise refused
    try:
        with transaction.atomic():
            now = timezone.now()
            conversation = Conversation.objects.create(
                listing=listing, buyer_id=buyer.pk, seller_id=seller_id, last_activity_at=now
            )
            Participant.objects.bulk_create(
                [
                    Participant(conversation=conversation, user_id=buyer.pk, role=Participant.Role.BUYER,
                                last_activity_at=now),
                    Participant(conversation=conversation, user_id=seller_id, role=Participant.Role.SELLER,
                                last_activity_at=now),
                ]
            )
            stream_open([seller_id])  # the first message then finds both streams open
            _tell_the_buyer(conversation, buyer.pk)
    except IntegrityError:
        # A double click raced us to it: the first one won, and this is the same conversation.
        return Conversation.objects.get(listing_id=listing.pk, buyer_id=buyer.pk), False
    return conversation, True


def _tell_the_buyer(conversation, buyer_id: int) -> None:
    """The buyer's other tabs and devices list the new conversation and count it (the seller
    sees nothing until the first message)."""
    shown = inbox_filters_of(role=Participant.Role.BUYER, last_seq=0, is_buyer=True, read_seq=0, archived_seq=None)
    reserved = stream_reserve(Counter((buyer_id,)))
    stream_append([(buyer_id, *events.conversation_started(
        conversation=conversation_summary(conversation, for_user_id=buyer_id),
        inbox_moves=inbox_moves(frozenset(), shown)))], reserved=reserved)


def _whole_seq(seq) -> int:
    """`seq` as a whole number of 0 or more, else Invalid."""
    try:
        seq = int(seq)
    except (TypeError, ValueError):
        raise Invalid(_("seq must be a whole number."), field="seq") from None
    if seq < 0:
        raise Invalid(_("seq must be a whole number."), field="seq")
    return seq


def _read_moves(*, role, archived_seq, last_seq: int, is_buyer: bool, was: int, now: int) -> dict[str, int]:
    """How the inbox's filter counts move when the user's read mark goes from `was` to `now`."""
    state = {"role": role, "last_seq": last_seq, "is_buyer": is_buyer, "archived_seq": archived_seq}
    return inbox_moves(inbox_filters_of(**state, read_seq=was), inbox_filters_of(**state, read_seq=now))


def conversation_mark_read(*, user, conversation, seq: int | None = None) -> int:
    """Move the user's read mark forward to `seq` (default: the last message); return it.

    A mark never moves backwards: an older seq leaves it where it is and publishes nothing.
    """
    require_active(user)
    seq = None if seq is None else _whole_seq(seq)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        target = locked.last_seq if seq is None else min(seq, locked.last_seq)
        # Every writer of this mark holds the conversation's row lock: read, then move it.
        participant = Participant.objects.get(conversation_id=conversation.pk, user_id=user.pk)
        was = participant.last_read_seq
        if was >= target:
            return was
        Participant.objects.filter(pk=participant.pk).update(last_read_seq=target)
        # The mark moved forward, so the conversation was unread; its filters say how the counts move.
        moves = _read_moves(role=participant.role, archived_seq=participant.archived_seq, last_seq=locked.last_seq,
                            is_buyer=user.pk == conversation.buyer_id, was=0, now=target)
        other_id = conversation.other_user_id(user.pk)
        # Read receipts off on either side (privacy.py): the other person is not told.
        tell_other = read_receipts_on(conversation_id=conversation.pk)
        reserved = stream_reserve(Counter((user.pk, other_id) if tell_other else (user.pk,)))
        mine = events.conversation_read(
            conversation_id=conversation.pk,
            reader_id=user.pk,
            seq=target,
            unread=max(locked.last_seq - target, 0),
            unread_total=unread_move(user.pk, -(target - was)),  # under the stream head's lock
            inbox_moves=moves,
        )
        appended = [(user.pk, *mine)]
        if tell_other:
            theirs = events.conversation_read(conversation_id=conversation.pk, reader_id=user.pk, seq=target)
            appended.append((other_id, *theirs))
        stream_append(appended, reserved=reserved)
    return target


def conversation_mark_unread(*, user, conversation) -> int:
    """Move the user's own read mark back to just before the other person's last message.

    Return the mark. Only the user's own stream hears of it (`conversation.unread`): the other
    side's "Seen" stays. Without a message from the other person, or when that message is
    already unread, nothing changes and nothing is published.
    """
    require_active(user)
    other_id = conversation.other_user_id(user.pk)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        participant = Participant.objects.get(conversation_id=conversation.pk, user_id=user.pk)
        mark = participant.last_read_seq
        last_theirs = (
            Message.objects.filter(conversation_id=conversation.pk, sender_id=other_id)
            .order_by("-seq").values_list("seq", flat=True).first()
        )
        if last_theirs is None or mark < last_theirs:
            return mark
        target = last_theirs - 1
        Participant.objects.filter(pk=participant.pk).update(last_read_seq=target)
        reserved = stream_reserve(Counter((user.pk,)))
        stream_append([(user.pk, *events.conversation_unread(
            conversation_id=conversation.pk, last_read_seq=target,
            unread=max(locked.last_seq - target, 0), unread_total=unread_move(user.pk, mark - target),
            inbox_moves=_read_moves(role=participant.role, archived_seq=participant.archived_seq, last_seq=locked.last_seq,
                                    is_buyer=user.pk == conversation.buyer_id, was=mark, now=target),
        ))], reserved=reserved)
    return target

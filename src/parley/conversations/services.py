"""Writes. Services are the only writers, and the only publishers (after commit)."""

import uuid

from parley.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parley.core.errors import Conflict, Forbidden, Invalid
from parley.core.ratelimit import rate_limit
from parley.realtime.stream import stream_append

from . import events
from .listings import listing_adapter
from .models import Conversation, Message, Participant
from .selectors import unread_total_for
from .text import clean_body


def conversation_start(*, buyer, listing) -> tuple[Conversation, bool]:
    """Return the buyer's conversation about this listing, creating it the first time."""
    seller_id = listing_adapter().seller_id(listing)
    if seller_id == buyer.pk:
        raise Forbidden(_("This is your own listing: you cannot message yourself about it."), code="own_listing")
    existing = Conversation.objects.filter(listing_id=listing.pk, buyer_id=buyer.pk).first()
    if existing:
        return existing, False
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


def _parse_client_msg_id(client_msg_id) -> uuid.UUID:
    try:
        return uuid.UUID(str(client_msg_id))
    except (TypeError, ValueError):
        raise Invalid(_("client_msg_id must be a UUID."), field="client_msg_id") from None


def _existing_send(*, sender, conversation, client_msg_id: uuid.UUID) -> Message | None:
    message = Message.objects.filter(sender_id=sender.pk, client_msg_id=client_msg_id).first()
    if message is not None and message.conversation_id != conversation.pk:
        raise Conflict(_("This client_msg_id was already used in another conversation."), field="client_msg_id")
    return message


def message_send(*, sender, conversation, body, client_msg_id) -> tuple[Message, bool]:
    """Send a message; return (message, created). A retry returns the original message.

    Caller has checked that the sender takes part in the conversation (access.conversation_for).
    """
    client_msg_id = _parse_client_msg_id(client_msg_id)
    if existing := _existing_send(sender=sender, conversation=conversation, client_msg_id=client_msg_id):
        return existing, False
    body = clean_body(body)
    rate_limit(key=f"send:{sender.pk}", rate=settings.PARLEY_SEND_RATE)
    try:
        with transaction.atomic():
            message = _append_message(sender=sender, conversation=conversation, body=body, client_msg_id=client_msg_id)
    except IntegrityError:
        # The same client_msg_id committed concurrently (a retry raced the original).
        if existing := _existing_send(sender=sender, conversation=conversation, client_msg_id=client_msg_id):
            return existing, False
        raise
    return message, True


def _append_message(*, sender, conversation, body: str, client_msg_id: uuid.UUID) -> Message:
    """Write the message, move the counters and append both participants' events.

    Caller holds a transaction.
    """
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    seq = locked.last_seq + 1
    message = Message.objects.create(
        conversation_id=conversation.pk, sender_id=sender.pk, seq=seq, body=body, client_msg_id=client_msg_id
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        last_seq=seq, last_message=message, last_activity_at=message.created_at
    )
    # Sending a message means the sender has read everything before it.
    Participant.objects.filter(conversation_id=conversation.pk, user_id=sender.pk).update(last_read_seq=seq)
    conversation.last_seq, conversation.last_message, conversation.last_activity_at = seq, message, message.created_at
    per_user = {}
    for user_id in conversation.participant_ids():
        unread = 0 if user_id == sender.pk else _unread(user_id, conversation.pk, seq)
        total = unread_total_for(user=_Ref(user_id))
        per_user[user_id] = events.message_created(
            message, conversation, for_user_id=user_id, unread=unread, unread_total=total
        )
    stream_append(per_user)
    return message


class _Ref:
    """A user reference by id, for selectors that only need pk."""

    def __init__(self, pk: int):
        self.pk = pk


def _unread(user_id: int, conversation_id: int, last_seq: int) -> int:
    last_read = (
        Participant.objects.filter(conversation_id=conversation_id, user_id=user_id)
        .values_list("last_read_seq", flat=True)
        .first()
    ) or 0
    return max(last_seq - last_read, 0)


def conversation_mark_read(*, user, conversation, seq: int | None = None) -> int:
    """Move the user's read mark forward to `seq` (default: the last message); return it.

    A mark never moves backwards: an older seq leaves it where it is and publishes nothing.
    """
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
        stream_append(
            {
                user.pk: events.conversation_read(
                    conversation,
                    reader_id=user.pk,
                    seq=target,
                    unread=max(locked.last_seq - target, 0),
                    unread_total=unread_total_for(user=user),
                ),
                other_id: events.conversation_read(conversation, reader_id=user.pk, seq=target),
            }
        )
    return target

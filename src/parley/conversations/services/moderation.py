"""Moderation of messages: the conversations app owns them, so it hides them."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.core.errors import Forbidden

from parley.stream.append import stream_append
from parley.stream.redact import stream_redact

from .. import events
from ..models import Message
from ..serializers import REMOVED_BY_MODERATION
from .quotes import rewrite_quotes


def message_hide(*, message: Message, moderator) -> bool:
    """Hide a message from both participants; return whether it was visible until now.

    Its text leaves every wire (page, API, inbox, sync): `message_dict` sends it as "" with
    `removed`, and the stored events that carried it are rewritten. Both participants get
    `message.hidden`, in the same transaction. Hiding twice changes nothing and tells no one.
    """
    if not getattr(moderator, "is_staff", False):
        raise Forbidden(_("Only staff can hide messages."))
    with transaction.atomic():
        now = timezone.now()
        hid = Message.objects.filter(pk=message.pk, hidden_at__isnull=True).update(hidden_at=now)
        if not hid:
            message.hidden_at = Message.objects.values_list("hidden_at", flat=True).get(pk=message.pk)
            return False
        message.hidden_at = now
        conversation = message.conversation
        participants = conversation.participant_ids()
        stream_redact(
            user_ids=participants, type=events.MESSAGE_CREATED, where={"message__id": message.pk},
            rewrite=_without_text,
        )
        rewrite_quotes(participants, message)  # the replies quoting it lose the text too
        data = events.message_hidden(conversation_id=conversation.pk, message_id=message.pk, seq=message.seq)
        stream_append([(uid, *data) for uid in participants])
    return True


def _without_text(payload: dict) -> dict:
    message = {k: v for k, v in payload["message"].items() if k != "attachments"}  # its files go with the text
    return {**payload, "message": {**message, "body": "", "removed": REMOVED_BY_MODERATION}}

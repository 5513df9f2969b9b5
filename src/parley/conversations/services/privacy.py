"""Privacy: a user's defaults and their overrides in one conversation (docs/protocol.md, "Privacy").

After a change, each affected conversation's two people get a live `privacy` signal that says
whether read receipts now flow there (with the other's read mark only when they do), so open
pages switch between "Seen" and "Delivered" and ask for presence again.
"""

from django.db import transaction

from parley.stream.signals import signal

from ..models import Conversation, Participant, PrivacySetting
from ..privacy import read_receipts_on
from ..selectors import read_marks_for


def privacy_set_defaults(*, user, show_online: bool, read_receipts: bool) -> None:
    """The user's defaults, for every conversation without an override of its own."""
    with transaction.atomic():
        PrivacySetting.objects.update_or_create(
            user_id=user.pk, defaults={"show_online": bool(show_online), "read_receipts": bool(read_receipts)}
        )
        ids = list(Participant.objects.filter(user_id=user.pk).values_list("conversation_id", flat=True))
        transaction.on_commit(lambda: _tell(ids))


def privacy_set_override(*, user, conversation, show_online: bool | None, read_receipts: bool | None) -> None:
    """Override the user's defaults in this conversation only; None follows the defaults again."""
    with transaction.atomic():
        Participant.objects.filter(conversation_id=conversation.pk, user_id=user.pk).update(
            show_online=show_online, read_receipts=read_receipts
        )
        transaction.on_commit(lambda: _tell([conversation.pk]))


def _tell(conversation_ids: list[int]) -> None:
    for conversation in Conversation.objects.filter(pk__in=conversation_ids).only("pk", "buyer_id", "seller_id"):
        flowing = read_receipts_on(conversation_id=conversation.pk)
        marks = read_marks_for(conversation=conversation) if flowing else {}
        for uid in conversation.participant_ids():
            data = {"conversation_id": conversation.pk, "read_receipts": flowing}
            if flowing:
                data["other_read_seq"] = marks.get(conversation.other_user_id(uid), 0)
            signal([uid], "privacy", data)

"""Archive and Unarchive: a user's own filing of a conversation (the other person is not told)."""

from collections import Counter

from django.db import transaction

from parley.core.active import require_active
from parley.stream.append import stream_append, stream_reserve

from .. import events
from ..models import Conversation, Participant
from ..selectors import inbox_counts_for


def conversation_archive(*, user, conversation) -> bool:
    """Archive the conversation for `user` until its next message; return whether it changed.

    Only the user's stream hears of it (`conversation.archived`, with the inbox's counts), so
    every tab and device moves the row. Archiving twice changes nothing and tells no one.
    """
    return _set(user=user, conversation=conversation, archive=True)


def conversation_unarchive(*, user, conversation) -> bool:
    """Bring an archived conversation back to the inbox; return whether it changed."""
    return _set(user=user, conversation=conversation, archive=False)


def _set(*, user, conversation, archive: bool) -> bool:
    require_active(user)
    with transaction.atomic():
        # The conversation's row lock orders this against a send moving last_seq.
        last_seq = Conversation.objects.select_for_update().values_list("last_seq", flat=True).get(pk=conversation.pk)
        participant = Participant.objects.get(conversation_id=conversation.pk, user_id=user.pk)
        archived = participant.archived_seq is not None and participant.archived_seq >= last_seq
        if archived == archive:
            return False
        Participant.objects.filter(pk=participant.pk).update(archived_seq=last_seq if archive else None)
        # Reserve the stream seq before reading the counts, so a later event carries newer ones.
        reserved = stream_reserve(Counter((user.pk,)))
        build = events.conversation_archived if archive else events.conversation_unarchived
        stream_append([(user.pk, *build(conversation_id=conversation.pk, counts=inbox_counts_for(user=user)))],
                      reserved=reserved)
    return True

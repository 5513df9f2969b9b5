"""Whom a user may block or report: only someone they share a conversation with."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from parley.conversations.access import conversation_for
from parley.conversations.selectors import message_in, shares_conversation
from parley.core.errors import NotFound
from parley.core.ids import database_id

from .selectors import is_blocked


def person_for(user, user_id, *, or_blocked: bool = False) -> object:
    """Return the user `user_id` if `user` shares a conversation with them; NotFound otherwise.

    With `or_blocked`, someone `user` blocked is found too (to unblock them after the
    conversation is gone).
    """
    other_id = database_id(user_id)
    if other_id is None or not (
        (or_blocked and is_blocked(blocker_id=user.pk, blocked_id=other_id))
        or shares_conversation(user_id=user.pk, other_id=other_id)
    ):
        raise NotFound(_("No such person among your conversations."))
    return get_user_model()._default_manager.get(pk=other_id)


def report_target_for(user, conversation_id, message_id=None) -> tuple:
    """Return (conversation, message or None) that `user` may report; NotFound otherwise.

    Only a conversation they take part in, and only the other person's message in it: a
    message that is missing, in another conversation or their own is the same NotFound.
    """
    conversation = conversation_for(user, conversation_id)
    if message_id is None:
        return conversation, None
    message = message_in(conversation, message_id)
    if message is None or message.sender_id == user.pk:
        raise NotFound(_("Message not found."))
    return conversation, message

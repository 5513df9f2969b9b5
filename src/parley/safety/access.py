"""Whom a user may block: only someone they share a conversation with."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from parley.conversations.selectors import shares_conversation
from parley.core.errors import NotFound

from .selectors import is_blocked


def person_for(user, user_id, *, or_blocked: bool = False) -> object:
    """Return the user `user_id` if `user` shares a conversation with them; NotFound otherwise.

    With `or_blocked`, someone `user` blocked is found too (to unblock them after the
    conversation is gone).
    """
    try:
        other_id = int(user_id)
    except (TypeError, ValueError):
        other_id = None
    if other_id is None or not (
        (or_blocked and is_blocked(blocker_id=user.pk, blocked_id=other_id))
        or shares_conversation(user_id=user.pk, other_id=other_id)
    ):
        raise NotFound(_("No such person among your conversations."))
    return get_user_model()._default_manager.get(pk=other_id)

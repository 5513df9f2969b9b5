"""Block and unblock: the only writers of blocks."""

from django.db import transaction

from parley.core.active import require_active
from parley.stream.append import stream_append

from .. import events
from ..models import Block


def block_create(*, blocker, blocked) -> bool:
    """Block `blocked` for `blocker`; return whether it is new. Takes effect on their next send.

    Caller checked access (access.person_for). Blocking twice changes nothing and tells no one.
    """
    require_active(blocker)
    with transaction.atomic():
        _, created = Block.objects.get_or_create(blocker_id=blocker.pk, blocked_id=blocked.pk)
        if created:
            stream_append([(blocker.pk, *events.user_blocked(user_id=blocked.pk))])
    return created


def block_delete(*, blocker, blocked) -> bool:
    """Unblock; return whether there was a block."""
    require_active(blocker)
    with transaction.atomic():
        deleted, _ = Block.objects.filter(blocker_id=blocker.pk, blocked_id=blocked.pk).delete()
        if deleted:
            stream_append([(blocker.pk, *events.user_unblocked(user_id=blocked.pk))])
    return bool(deleted)

"""Reads about blocks."""

from django.db.models import Q

from .models import Block


def blocked_pairs(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (sender_id, recipient_id) pairs where the recipient blocked the sender: one query."""
    if not pairs:
        return set()
    senders = {s for s, _ in pairs}
    recipients = {r for _, r in pairs}
    found = Block.objects.filter(blocked_id__in=senders, blocker_id__in=recipients).values_list("blocked_id", "blocker_id")
    return set(found) & pairs


def is_blocked(*, blocker_id: int, blocked_id: int) -> bool:
    return Block.objects.filter(blocker_id=blocker_id, blocked_id=blocked_id).exists()


def blocks_for(*, user) -> list[Block]:
    """The people `user` blocked, newest first."""
    return list(Block.objects.filter(blocker_id=user.pk).select_related("blocked").order_by("-created_at", "-pk"))

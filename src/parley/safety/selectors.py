"""Reads about blocks."""

from parley.core.sql import Check, run_checks, select_where_in

from .models import Block


def blocked_pairs(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (sender_id, recipient_id) pairs where the recipient blocked the sender: one query."""
    return run_checks([blocked_pairs_check(pairs)])[0]


def blocked_pairs_check(pairs: set[tuple[int, int]]) -> Check:
    """blocked_pairs as a Check, which the send batch asks with its other checks at once."""
    if not pairs:
        return Check(None, (), lambda rows: set())
    senders = {s for s, _ in pairs}
    recipients = {r for _, r in pairs}
    # Raw SQL: this runs once per send batch, and the ORM's compiler cost more than the query.
    blocked, blocker = Block._meta.get_field("blocked").column, Block._meta.get_field("blocker").column
    sql, params = select_where_in(Block._meta.db_table, [blocked, blocker], {blocked: senders, blocker: recipients})
    return Check(sql, params, lambda rows: {(s, r) for s, r in rows} & pairs)


def is_blocked(*, blocker_id: int, blocked_id: int) -> bool:
    return Block.objects.filter(blocker_id=blocker_id, blocked_id=blocked_id).exists()


def blocks_for(*, user) -> list[Block]:
    """The people `user` blocked, newest first."""
    return list(Block.objects.filter(blocker_id=user.pk).select_related("blocked").order_by("-created_at", "-pk"))


def block_between(*, blocker_id: int, blocked_id: int) -> Block:
    """The block of `blocked_id` by `blocker_id`, with the blocked user (Block.DoesNotExist if none)."""
    return Block.objects.select_related("blocked").get(blocker_id=blocker_id, blocked_id=blocked_id)

"""The unread total per user (models.UnreadTotal), moved by every writer of what it sums.

The writers are the send batch (the recipients +1 a message, a sender's read mark jumping to
their message), "read" and "Mark as unread" (the mark's move), and a participation's deletion
(its unread, gone with it), each in the transaction of its change. The first three move it
after locking the user's stream head (stream_reserve), so a total read under that lock stays
exact until commit (the events carry it); a deletion subtracts as it deletes (additions
commute). A user without a row has 0. The sum this replaces cost a busy seller's every
incoming message a read of all their conversations (docs/benchmarks.md, "What is left" (10)).
"""

from parley.core.sql import cursor, quote, values_rows

from ..models import Conversation, UnreadTotal
from ..selectors import unread_totals_for


def _add_on_conflict(table: str) -> str:
    """The upsert's tail: a user's row that exists takes the delta onto its total."""
    return f" ON CONFLICT (user_id) DO UPDATE SET total = {table}.total + excluded.total"


def unread_add_statement(deltas: dict[int, int]) -> tuple[str, list] | None:
    """The (sql, params) that adds each {user_id: delta} to its total (None: nothing moves),
    to ride in a round trip (the send batch's last). Rows come in user-id order."""
    moved = sorted((uid, delta) for uid, delta in deltas.items() if delta)
    if not moved:
        return None
    table = quote(UnreadTotal._meta.db_table)
    return (
        f"INSERT INTO {table} (user_id, total) VALUES {values_rows(len(moved), 2)}" + _add_on_conflict(table),
        [value for row in moved for value in row],
    )


def unread_add(deltas: dict[int, int]) -> None:
    """Add each {user_id: delta} to its total now (unread_add_statement)."""
    statement = unread_add_statement(deltas)
    if statement is not None:
        with cursor() as cur:
            cur.execute(*statement)


def unread_move(user_id: int, delta: int) -> int:
    """Add `delta` to the user's total; return the total. Caller holds the user's stream head."""
    unread_add({user_id: delta})
    return unread_totals_for(user_ids=[user_id]).get(user_id, 0)


def participation_deleted(sender, instance, **kwargs) -> None:
    """pre_delete of a Participant (a conversation, listing or user deleted): its unread
    messages leave the user's total.

    One statement per participation, which writes nothing when it had nothing unread: a
    listing's deletion sends this once for each of its conversations' two participations.
    """
    total, conversation = quote(UnreadTotal._meta.db_table), quote(Conversation._meta.db_table)
    with cursor() as cur:
        cur.execute(
            f"INSERT INTO {total} (user_id, total) SELECT %s, %s - c.last_seq FROM {conversation} c "
            f"WHERE c.id = %s AND c.last_seq > %s" + _add_on_conflict(total),
            [instance.user_id, instance.last_read_seq, instance.conversation_id, instance.last_read_seq],
        )

"""Per-user durable event streams: gap-free seq allocation, append, read back, publish."""

from collections import Counter
from dataclasses import dataclass

import orjson
from django.db import connection, transaction

from .broker import get_broker
from .models import StreamEvent, UserStream


@dataclass(frozen=True, slots=True)
class Event:
    user_id: int
    seq: int
    type: str
    data: dict

    def frame(self) -> str:
        return encode({"type": "event", "seq": self.seq, "event": self.type, "data": self.data})

    def as_dict(self) -> dict:
        return {"seq": self.seq, "event": self.type, "data": self.data}


def encode(obj) -> str:
    return orjson.dumps(obj).decode()


def stream_reserve(counts: Counter) -> dict[int, int]:
    """Reserve counts[user] consecutive seqs per user; return each user's first seq.

    Reserve before reading anything the events report (such as unread totals), so a
    concurrent writer to the same user waits here and then reads what this one wrote.

    Caller holds the transaction. The UPDATE takes each head's row lock (on SQLite the
    IMMEDIATE transaction already holds the database lock), in user-id order so that
    concurrent writers cannot deadlock on PostgreSQL.
    """
    assert connection.in_atomic_block, "stream_reserve must run inside the writing transaction"
    table = connection.ops.quote_name(UserStream._meta.db_table)
    first: dict[int, int] = {}
    with connection.cursor() as cursor:
        for uid in sorted(counts):
            cursor.execute(
                f"UPDATE {table} SET last_seq = last_seq + %s WHERE user_id = %s RETURNING last_seq",
                [counts[uid], uid],
            )
            row = cursor.fetchone()
            if row is None:  # the user's first event: create the head, then take the lock
                UserStream.objects.bulk_create([UserStream(user_id=uid)], ignore_conflicts=True)
                cursor.execute(
                    f"UPDATE {table} SET last_seq = last_seq + %s WHERE user_id = %s RETURNING last_seq",
                    [counts[uid], uid],
                )
                row = cursor.fetchone()
            first[uid] = row[0] - counts[uid] + 1
    return first


def stream_append(events: list[tuple[int, str, dict]], *, reserved: dict[int, int] | None = None) -> list[Event]:
    """Append (user_id, type, data) events, in order, and publish them after commit.

    Caller holds the transaction that changed the data the events describe. With
    `reserved` (from stream_reserve), the events must use up exactly what was reserved.
    """
    assert connection.in_atomic_block, "stream_append must run inside the writing transaction"
    counts = Counter(uid for uid, _, _ in events)
    if reserved is None:
        reserved = stream_reserve(counts) if events else {}
    elif set(reserved) != set(counts):
        raise ValueError("stream_append: the events do not match the reservation (seqs would have gaps)")
    if not events:
        return []
    next_seq = dict(reserved)
    appended = []
    for uid, etype, data in events:
        appended.append(Event(uid, next_seq[uid], etype, data))
        next_seq[uid] += 1
    StreamEvent.objects.bulk_create(
        [StreamEvent(user_id=e.user_id, seq=e.seq, type=e.type, payload=e.data) for e in appended]
    )
    transaction.on_commit(lambda: publish_events(appended))
    return appended


def publish_events(events: list[Event]) -> None:
    """Ring each recipient's doorbell once per event, whatever its number of sockets."""
    get_broker().publish_many([(e.user_id, e.frame()) for e in events])

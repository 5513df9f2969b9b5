"""Per-user durable event streams: gap-free seq allocation, append, read back, publish."""

from dataclasses import dataclass

import orjson
from django.db import IntegrityError, connection, transaction

from .broker import get_broker
from .models import StreamEvent, UserStream


@dataclass(frozen=True)
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


def _next_seq(user_id: int) -> int:
    """Allocate the user's next seq. Caller is inside a transaction; this locks the row."""
    table = UserStream._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + 1 WHERE user_id = %s RETURNING last_seq", [user_id]
        )
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    # First event for this user: create the head. A concurrent creator makes this raise
    # IntegrityError inside the savepoint, and the retry finds the row.
    try:
        with transaction.atomic():
            UserStream.objects.create(user_id=user_id, last_seq=1)
        return 1
    except IntegrityError:
        return _next_seq(user_id)


def stream_append(events: dict[int, tuple[str, dict]]) -> list[Event]:
    """Append one event per user ({user_id: (type, data)}) and publish them after commit.

    Caller holds a transaction (the one that changed the data the events describe).
    """
    assert connection.in_atomic_block, "stream_append must run inside the writing transaction"
    # Lock heads in user-id order so concurrent writers cannot deadlock on PostgreSQL.
    appended = [Event(uid, _next_seq(uid), etype, data) for uid, (etype, data) in sorted(events.items())]
    StreamEvent.objects.bulk_create(
        [StreamEvent(user_id=e.user_id, seq=e.seq, type=e.type, payload=e.data) for e in appended]
    )
    transaction.on_commit(lambda: publish_events(appended))
    return appended


def publish_events(events: list[Event]) -> None:
    """Ring each recipient's doorbell once per event, whatever its number of sockets."""
    broker = get_broker()
    for event in events:
        broker.publish(event.user_id, event.frame())

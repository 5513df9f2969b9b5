"""Per-user durable event streams: gap-free seq allocation, append, read back, publish."""

from collections import Counter
from dataclasses import dataclass

import orjson
from django.db import connection, transaction
from django.utils import timezone

from parley.core.counters import advance_last_seq

from .broker import get_broker
from .models import StreamEvent, UserStream


@dataclass(slots=True)
class Event:
    user_id: int
    seq: int
    type: str
    data: dict
    _json: str | None = None
    skip: object = None  # the socket this event is not pushed to (it rides on that socket's ack)

    def data_json(self) -> str:
        """The payload as JSON, encoded once for both the database row and the frame."""
        if self._json is None:
            self._json = encode(self.data)
        return self._json

    def frame(self) -> str:
        return f'{{"type":"event","seq":{self.seq},"event":{encode(self.type)},"data":{self.data_json()}}}'

    def as_dict(self) -> dict:
        return {"seq": self.seq, "event": self.type, "data": self.data}


def encode(obj) -> str:
    return orjson.dumps(obj).decode()


def stream_reserve(counts: Counter) -> dict[int, int]:
    """Reserve counts[user] consecutive seqs per user; return each user's first seq.

    Reserve before reading anything the events report (such as unread totals), so a
    concurrent writer to the same user waits here and then reads what this one wrote.

    Caller holds the transaction; heads are locked in user-id order (advance_last_seq).
    """
    return advance_last_seq(UserStream, "user_id", counts, on_missing=_create_head)


def _create_head(user_id: int) -> None:
    """Create a user's stream head on their first event (a concurrent creator is fine)."""
    UserStream.objects.bulk_create([UserStream(user_id=user_id)], ignore_conflicts=True)


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
    _insert(appended)
    transaction.on_commit(lambda: publish_events(appended))
    return appended


def _insert(events: list[Event]) -> None:
    """Write the rows with one multi-row INSERT of pre-encoded payloads (the hot path)."""
    table = connection.ops.quote_name(StreamEvent._meta.db_table)
    now = StreamEvent._meta.get_field("created_at").get_db_prep_value(timezone.now(), connection)
    payload = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    row = f"(%s, %s, %s, {payload}, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(events), 500):
            chunk = events[start : start + 500]
            params = []
            for e in chunk:
                params += (e.user_id, e.seq, e.type, e.data_json(), now)
            cursor.execute(
                f"INSERT INTO {table} (user_id, seq, type, payload, created_at) VALUES {', '.join([row] * len(chunk))}",
                params,
            )


def publish_events(events: list[Event]) -> None:
    """Ring each recipient's doorbell once per event, whatever its number of sockets."""
    skip = {i: e.skip for i, e in enumerate(events) if e.skip is not None}
    get_broker().publish_many([(e.user_id, e.frame()) for e in events], skip=skip or None)

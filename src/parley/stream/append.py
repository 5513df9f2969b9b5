"""Per-user durable event streams: gap-free seq allocation and append; sinks after commit."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from django.db import connection, transaction
from django.utils import timezone

from parley.core.counters import Advance, advance_many
from parley.core.sql import commit_riding, execute_together, insert_rows_statement, json_placeholder, require_transaction

from .models import StreamEvent, UserStream
from .sinks import dispatch


@dataclass(slots=True)
class Event:
    user_id: int
    seq: int
    type: str
    data: dict
    _json: str | None = None

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
    return advance_many([stream_reservation(counts)])[0]


def stream_reservation(counts: Counter) -> Advance:
    """stream_reserve's move, for a caller that advances its own counters in the same round
    trip first (core.counters.advance_many): the send path's conversations, then the heads."""
    return Advance(UserStream, "user_id", counts, on_missing=_create_head)


def stream_open(user_ids) -> None:
    """Create these users' stream heads where missing (a concurrent creator is fine).

    A head is otherwise created on the user's first event, which costs that write two more
    statements (on PostgreSQL, two more round trips): conversation_start opens both people's.
    """
    UserStream.objects.bulk_create([UserStream(user_id=uid) for uid in user_ids], ignore_conflicts=True)


def _create_head(user_id: int) -> None:
    stream_open([user_id])


def stream_append(events: list[tuple[int, str, dict]], *, reserved: dict[int, int] | None = None,
                  before: Sequence[tuple[str, Sequence]] = (), last: bool = False) -> list[Event]:
    """Append (user_id, type, data) events, in order; after commit, hand them to the sinks.

    Caller holds the transaction that changed the data the events describe. With
    `reserved` (from stream_reserve), the events must use up exactly what was reserved.
    `before`: the caller's own (sql, params) statements without results, run first in the
    same round trip (sql.execute_together). `last`: the caller's transaction does nothing more,
    so its COMMIT may ride in this round trip (sql.commit_riding).
    """
    require_transaction("stream_append")
    counts = Counter(uid for uid, _, _ in events)
    if reserved is None:
        reserved = stream_reserve(counts) if events else {}
    elif set(reserved) != set(counts):
        raise ValueError(
            "stream_append: the events' users differ from the reservation's; reserve with "
            "stream_reserve(Counter of the same user ids), or the streams would have gaps."
        )
    commit = commit_riding() if last else []
    if not events:
        if before:
            execute_together([*before, *commit])
        return []
    next_seq = dict(reserved)
    appended = []
    for uid, etype, data in events:
        appended.append(Event(uid, next_seq[uid], etype, data))
        next_seq[uid] += 1
    transaction.on_commit(lambda: dispatch(appended))  # registered first: COMMIT may ride below
    execute_together([*before, _insert_statement(appended), *commit])
    return appended


def _insert_statement(events: list[Event]) -> tuple[str, list]:
    """One multi-row INSERT of pre-encoded payloads (the hot path)."""
    now = StreamEvent._meta.get_field("created_at").get_db_prep_value(timezone.now(), connection)
    return insert_rows_statement(
        StreamEvent._meta.db_table, ("user_id", "seq", "type", "payload", "created_at"),
        [(e.user_id, e.seq, e.type, e.data_json(), now) for e in events],
        row_sql=f"(%s, %s, %s, {json_placeholder()}, %s)",
    )

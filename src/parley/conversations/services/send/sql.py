"""The send path's raw statements: a fixed number per batch, whatever its size.

The profile in docs/benchmarks.md showed Django's query compiler and model instances as most
of the cost per message, so these few statements are SQL; vendor differences stay in
parley.core.sql. Every function here needs the caller's transaction and row locks.
"""

from functools import partial

from django.db import DEFAULT_DB_ALIAS, connections

from parley.core.sql import Check, insert_rows_statement, placeholders, quote, values_rows

from ...models import Conversation, Message, Participant, UnreadTotal


def insert_messages(rows: list[dict], added: dict[int, int]) -> Check:
    """The statement that inserts messages given as {attname: value}, as a Check.

    Each row's `seq` is taken in SQL from its conversation's `last_seq`, which this batch has
    just moved by `added[conversation_id]` under its lock; rows of one conversation come in
    order. So the insert rides in the counters' round trip (core.counters.advance_many's
    `then`) instead of waiting for it. Columns come from the model, so a new field of Message
    needs a migration and, where the send path knows its value, a key in these dicts; a field
    left out takes its default. The answer is the messages, in order, ids and seqs set.
    The unique (sender, client_msg_id) constraint raises IntegrityError for a retry.
    """
    db = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in Message._meta.concrete_fields if not f.primary_key]
    seq_at = next(i for i, f in enumerate(fields) if f.attname == "seq")
    cid_at = next(i for i, f in enumerate(fields) if f.attname == "conversation_id")
    values = [[row[f.attname] if f.attname in row else f.get_default() for f in fields] for row in rows]
    left = dict(added)
    for vals in values:
        left[vals[cid_at]] -= 1
        vals[seq_at] = left[vals[cid_at]]  # how far below the moved last_seq; finish() sets the seq
    columns = [_prepare_column(f, [vals[i] for vals in values], db) for i, f in enumerate(fields)]
    cells = ["%s"] * len(fields)
    cells[seq_at] = f"(SELECT last_seq FROM {quote(Conversation._meta.db_table)} WHERE id = %s) - %s"
    sql, params = insert_rows_statement(
        Message._meta.db_table, [f.column for f in fields],
        [[*row[:seq_at], row[cid_at], row[seq_at], *row[seq_at + 1:]] for row in zip(*columns)],
        row_sql="(" + ", ".join(cells) + ")",
    )
    sql += " RETURNING id, conversation_id, seq"
    names = ["id", *(f.attname for f in fields)]
    return Check(sql, params, partial(_inserted, values, names, seq_at, cid_at, db.alias))


def _inserted(values: list[list], names: list[str], seq_at: int, cid_at: int, alias: str,
              returned: list[tuple]) -> list[Message]:
    """insert_messages' answer: the messages, seqs set (each row held how far below its
    conversation's new last_seq it is) and ids from RETURNING."""
    last = {}
    for _pk, cid, seq in returned:
        last[cid] = max(seq, last.get(cid, seq))
    ids = {(cid, seq): pk for pk, cid, seq in returned}
    out = []
    for vals in values:
        cid = vals[cid_at]
        vals[seq_at] = last[cid] - vals[seq_at]
        out.append(Message.from_db(alias, names, [ids[(cid, vals[seq_at])], *vals]))
    return out


# Columns whose Python ints and strs every driver takes as they are: Django's preparation of
# them is only calls (a fifth of the send path's Python time per message, measured).
_PLAIN_TYPES = {"IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                "PositiveBigIntegerField", "PositiveSmallIntegerField", "CharField", "TextField"}


def _prepare_column(field, column: list, db) -> list:
    """Return one column's values as the database takes them.

    Plain ints and strs of integer and text columns pass as they are; other values go
    through Django's `get_db_prep_save`, once per distinct object in a row (a batch shares
    one `created_at`).
    """
    kind = (field.target_field if field.is_relation else field).get_internal_type()
    plain = (int, str) if kind in _PLAIN_TYPES else ()
    out, last_in, last_out = [], object(), None
    for value in column:
        if type(value) in plain:
            out.append(value)
        elif value is last_in:
            out.append(last_out)
        else:
            last_in, last_out = value, field.get_db_prep_save(value, db)
            out.append(last_out)
    return out


def move_participations(rows: list[tuple[int, int, int]], *, at) -> tuple[str, list]:
    """The statement that moves each (conversation_id, user_id, read mark) participation: its
    copy of the conversation's last activity to `at`, and its read mark forward to the mark,
    never back (a mark of 0 leaves it).

    One UPDATE per batch whatever its size, each row written once: the inbox's index walk
    reads the activity copy (Participant.last_activity_at), and a sender's read mark moves
    with it. `at` is already prepared for the database. Returned as (sql, params) to ride
    with the batch's events (stream_append's `before`). Caller holds the conversations' row
    locks, which every writer of these rows takes first.
    """
    table = quote(Participant._meta.db_table)
    return (
        f"UPDATE {table} SET last_activity_at = %s, last_read_seq = CASE WHEN v.column3 > last_read_seq "
        f"THEN v.column3 ELSE last_read_seq END FROM (VALUES {values_rows(len(rows), 3)}) AS v "
        f"WHERE conversation_id = v.column1 AND user_id = v.column2",
        [at, *(value for row in rows for value in row)],
    )


def read_state(*, conversation_ids, user_ids) -> Check:
    """The read marks and archive marks in these conversations and these users' unread totals,
    as one Check.

    Its answer: ({(conversation_id, user_id): last_read_seq}, {(conversation_id, user_id):
    archived_seq}, {user_id: unread total before this batch}; a user without a total has 0).
    Asked in the round trip that moves the counters (core.counters.advance_many's `then`),
    after the moves: the caller then holds the conversation and stream-head locks, which every
    writer of these rows takes first, so the answer stays true until commit.
    """
    conversation_ids, user_ids = list(conversation_ids), list(user_ids)
    p, u = quote(Participant._meta.db_table), quote(UnreadTotal._meta.db_table)
    return Check(
        f"SELECT 0, conversation_id, user_id, last_read_seq, archived_seq FROM {p} "
        f"WHERE conversation_id IN ({placeholders(len(conversation_ids))}) "
        f"UNION ALL SELECT 1, user_id, total, 0, NULL FROM {u} WHERE user_id IN ({placeholders(len(user_ids))})",
        [*conversation_ids, *user_ids], _read_state_from,
    )


def _read_state_from(rows: list[tuple]) -> tuple[dict, dict, dict[int, int]]:
    read, archived, totals = {}, {}, {}
    for kind, a, b, mark, archived_seq in rows:
        if kind == 0:
            read[(a, b)] = mark
            archived[(a, b)] = archived_seq
        else:
            totals[a] = int(b)
    return read, archived, totals

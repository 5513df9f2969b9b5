"""Gap-free counters: take the next N values of a row's `last_seq`, under the row's lock."""

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from .sql import Check, execute_together, lock_in_key_order, quote, require_transaction, values_rows


class Advance(NamedTuple):
    """One counter move for advance_many: add counts[k] to `last_seq` of the row whose `key` is k."""

    model: type
    key: str
    counts: Mapping[int, int]
    also: Mapping[str, object] | None = None
    on_missing: Callable[[int], None] | None = None


def advance_last_seq(
    model, key: str, counts: Mapping[int, int], *, also: Mapping[str, object] | None = None,
    on_missing: Callable[[int], None] | None = None,
) -> dict[int, int]:
    """Add counts[k] to `last_seq` of the row whose `key` is k; return each row's first new value.

    Caller holds the transaction. One `UPDATE … FROM (VALUES …) RETURNING` moves every row of
    the batch, so the statements per call do not grow with the batch (the send path's hot
    spot, docs/benchmarks.md). The same statement first locks the rows in key order
    (`sql.lock_in_key_order`), so concurrent callers cannot deadlock. `also` sets more columns (values
    already prepared for the database). Missing rows call `on_missing(k)`, which must create
    the row, and are then advanced; without `on_missing` a missing row is a LookupError.
    """
    return advance_many([Advance(model, key, counts, also, on_missing)])[0]


def advance_many(advances: Sequence[Advance], *, then: Sequence[Check] = ()) -> list:
    """advance_last_seq for each move, in order, in one round trip (sql.execute_together).

    Rows are locked move by move, in the order given: give the moves in the order every
    writer of these tables locks them (the send path: conversations, then stream heads).
    `then`: checks asked in the same round trip after the moves, so they see the moved
    counters under their locks (the send path's read state). Returns each move's first new
    values, then each check's answer.
    """
    require_transaction("advance_last_seq")
    live = [a for a in advances if a.counts]
    asked = [c for c in then if c.sql is not None]
    statements = [*(_advance_sql(a, sorted(a.counts)) for a in live), *((c.sql, c.params) for c in asked)]
    results = execute_together(statements) if statements else []
    answers = iter(results[len(live):])
    checked = [c.finish(next(answers) if c.sql is not None else []) for c in then]
    by_move = {id(a): dict(rows) for a, rows in zip(live, results)}
    out = []
    for a in advances:
        if not a.counts:
            out.append({})
            continue
        keys = sorted(a.counts)
        moved = by_move[id(a)]
        missing = [k for k in keys if k not in moved]
        if missing and a.on_missing is not None:
            for k in missing:
                a.on_missing(k)
            moved.update(execute_together([_advance_sql(a, missing)])[0])
            missing = [k for k in keys if k not in moved]
        if missing:
            raise LookupError(f"{a.model.__name__} with {a.key}={missing[0]} does not exist")
        out.append({k: moved[k] - a.counts[k] + 1 for k in keys})
    return [*out, *checked]


def _advance_sql(a: Advance, keys: list[int]) -> tuple[str, list]:
    """The locking update for `keys` (sorted), returning (key, new last_seq) rows."""
    table, column = quote(a.model._meta.db_table), quote(a.key)
    values = values_rows(len(keys), 2)
    extra = "".join(f", {quote(name)} = %s" for name in (a.also or {}))
    params = [*(a.also or {}).values()]
    for k in keys:
        params += (k, a.counts[k])
    lock = lock_in_key_order(table, column, len(keys))
    locked, only_locked = "", ""
    if lock:
        locked, only_locked = ", locked", f" AND locked.k = {table}.{column}"
        params = [*keys, *params]
    return (
        f"{lock}UPDATE {table} SET last_seq = last_seq + v.column2{extra} FROM (VALUES {values}) AS v{locked} "
        f"WHERE {table}.{column} = v.column1{only_locked} RETURNING {table}.{column}, last_seq",
        params,
    )

"""Gap-free counters: take the next N values of a row's `last_seq`, under the row's lock."""

from collections.abc import Callable, Mapping

from django.db import connection

from .sql import lock_in_key_order, require_transaction, values_rows


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
    require_transaction("advance_last_seq")
    if not counts:
        return {}
    keys = sorted(counts)
    with connection.cursor() as cursor:
        moved = _advance(cursor, model, key, keys, counts, also)
        missing = [k for k in keys if k not in moved]
        if missing and on_missing is not None:
            for k in missing:
                on_missing(k)
            moved.update(_advance(cursor, model, key, missing, counts, also))
            missing = [k for k in keys if k not in moved]
    if missing:
        raise LookupError(f"{model.__name__} with {key}={missing[0]} does not exist")
    return {k: moved[k] - counts[k] + 1 for k in keys}


def _advance(cursor, model, key: str, keys: list[int], counts: Mapping[int, int], also) -> dict[int, int]:
    """Run the locking and the update for `keys` (sorted); return {key: new last_seq}."""
    q = connection.ops.quote_name
    table, column = q(model._meta.db_table), q(key)
    values = values_rows(len(keys), 2)
    extra = "".join(f", {q(name)} = %s" for name in (also or {}))
    params = [*(also or {}).values()]
    for k in keys:
        params += (k, counts[k])
    lock = lock_in_key_order(table, column, len(keys))
    locked, only_locked = "", ""
    if lock:
        locked, only_locked = ", locked", f" AND locked.k = {table}.{column}"
        params = [*keys, *params]
    cursor.execute(
        f"{lock}UPDATE {table} SET last_seq = last_seq + v.column2{extra} FROM (VALUES {values}) AS v{locked} "
        f"WHERE {table}.{column} = v.column1{only_locked} RETURNING {table}.{column}, last_seq",
        params,
    )
    return dict(cursor.fetchall())

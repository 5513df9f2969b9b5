"""Gap-free counters: take the next N values of a row's `last_seq`, under the row's lock."""

from collections.abc import Callable, Mapping

from django.db import connection


def advance_last_seq(
    model, key: str, counts: Mapping[int, int], *, also: Mapping[str, object] | None = None,
    on_missing: Callable[[int], None] | None = None,
) -> dict[int, int]:
    """Add counts[k] to `last_seq` of the row whose `key` is k; return each row's first new value.

    Caller holds the transaction. Rows are updated in key order (`UPDATE … RETURNING` takes
    each row's lock; on SQLite the IMMEDIATE transaction already holds the database), so
    concurrent callers cannot deadlock on PostgreSQL. `also` sets more columns (values
    already prepared for the database). A missing row calls `on_missing(k)`, which must
    create it, and is then taken in its turn; without `on_missing` it is a LookupError.
    """
    assert connection.in_atomic_block, "advance_last_seq must run inside the writing transaction"
    q = connection.ops.quote_name
    extra = "".join(f", {q(column)} = %s" for column in (also or {}))
    sql = f"UPDATE {q(model._meta.db_table)} SET last_seq = last_seq + %s{extra} WHERE {q(key)} = %s RETURNING last_seq"
    values = list((also or {}).values())
    first = {}
    with connection.cursor() as cursor:
        for k in sorted(counts):
            cursor.execute(sql, [counts[k], *values, k])
            row = cursor.fetchone()
            if row is None and on_missing is not None:
                on_missing(k)
                cursor.execute(sql, [counts[k], *values, k])
                row = cursor.fetchone()
            if row is None:
                raise LookupError(f"{model.__name__} with {key}={k} does not exist")
            first[k] = row[0] - counts[k] + 1
    return first

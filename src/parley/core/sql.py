"""The one vendor seam for raw SQL: SQLite and PostgreSQL differ only here.

Raw SQL is kept to the send path's fixed statements per batch (docs/architecture.md says
why); everything else is the ORM.
"""

from collections.abc import Iterable, Sequence

from django.db import connection

CHUNK_ROWS = 500


def require_transaction(what: str) -> None:
    """Raise unless the caller holds a transaction (the precondition of every batch write)."""
    if not connection.in_atomic_block:
        raise RuntimeError(
            f"{what} must run inside the writing transaction: wrap the change and its stream "
            "events in one `with transaction.atomic():` block."
        )


def postgres() -> bool:
    return connection.vendor == "postgresql"


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def placeholders(count: int) -> str:
    """`%s, %s, …` for an `IN (…)` list of `count` values."""
    return ", ".join(["%s"] * count)


def values_rows(rows: int, width: int) -> str:
    """`(%s, %s), (%s, %s), …` for a `FROM (VALUES …) AS v` of integer columns v.column1…

    PostgreSQL types each parameter as BIGINT so the columns compare with the id columns.
    """
    cell = "CAST(%s AS BIGINT)" if postgres() else "%s"
    row = "(" + ", ".join([cell] * width) + ")"
    return ", ".join([row] * rows)


def json_placeholder() -> str:
    """The placeholder of a JSON value passed as already-encoded text."""
    return "%s::jsonb" if postgres() else "%s"


def lock_in_key_order(table: str, column: str, count: int) -> str:
    """A `WITH locked AS …` prefix that locks `count` rows by key in key order ("" on SQLite).

    On PostgreSQL a MATERIALIZED `SELECT … ORDER BY key FOR UPDATE` that the statement joins
    (`locked.k`), so concurrent writers take row locks in one order and cannot deadlock; on
    SQLite the IMMEDIATE transaction already holds the whole database.
    """
    if not postgres():
        return ""
    return (f"WITH locked AS MATERIALIZED (SELECT {column} AS k FROM {table} "
            f"WHERE {column} IN ({placeholders(count)}) ORDER BY {column} FOR UPDATE) ")


def insert_rows(
    table: str, columns: Sequence[str], rows: Iterable[Sequence], *, row_sql: str | None = None,
    returning: str = "",
) -> list[tuple]:
    """INSERT rows with one multi-row statement per CHUNK_ROWS; return the RETURNING rows.

    `row_sql` overrides the `(%s, …)` of one row (for casts such as json_placeholder()).
    Caller holds the transaction.
    """
    row_sql = row_sql or "(" + placeholders(len(columns)) + ")"
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    tail = f" RETURNING {returning}" if returning else ""
    rows, out = list(rows), []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = rows[start : start + CHUNK_ROWS]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, [v for row in chunk for v in row])
            if returning:
                out += cursor.fetchall()
    return out

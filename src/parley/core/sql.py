"""The one vendor seam for raw SQL: SQLite and PostgreSQL differ only here.

Raw SQL is kept to the send path's fixed statements per batch, and its per-batch checks
(docs/architecture.md says why); everything else is the ORM.
"""

import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from . import prepared

CHUNK_ROWS = 500


def require_transaction(what: str) -> None:
    """Raise unless the caller holds a transaction (the precondition of every batch write)."""
    if not connection.in_atomic_block:
        raise RuntimeError(
            f"{what} must run inside the writing transaction: wrap the change and its stream "
            "events in one `with transaction.atomic():` block."
        )


_shared = threading.local()


@contextmanager
def one_cursor() -> Iterator[None]:
    """Let this thread's statements through `cursor()` share one database cursor inside.

    The send batch runs six statements; making a cursor through Django's wrapper for each cost
    about a tenth of the writer thread's CPU (cProfile, docs/benchmarks.md). Nested uses
    share the outer cursor.
    """
    if getattr(_shared, "cursor", None) is not None:
        yield
        return
    with connection.cursor() as shared:
        _shared.cursor = shared
        try:
            yield
        finally:
            _shared.cursor = None


def cursor():
    """A cursor for one statement: the shared one inside `one_cursor()`, else a new one."""
    shared = getattr(_shared, "cursor", None)
    return nullcontext(shared) if shared is not None else connection.cursor()


@functools.cache
def postgres() -> bool:
    """Whether the database is PostgreSQL. Cached: the engine is the settings', fixed for the
    process, and `connection` is a thread-local proxy (about 2 µs an access, and a send batch
    asked ten times; docs/benchmarks.md)."""
    return connection.vendor == "postgresql"


@functools.lru_cache(maxsize=256)
def quote(name: str) -> str:
    """A quoted identifier. Cached: SQLite and PostgreSQL quote alike ("name"), and going
    through `connection` (a thread-local proxy) each time was 5% of the send path at 500/s."""
    return connection.ops.quote_name(name)


def rows_where_in(table: str, columns: Sequence[str], where_in: dict[str, Iterable], also: str = "",
                  params: Sequence = ()) -> list[tuple]:
    """`SELECT columns FROM table WHERE col IN (…) AND …`, in one statement, without the ORM.

    For the send path's per-batch checks (who is inactive, who blocked whom), where the ORM's
    query compiler cost more than the query itself (docs/benchmarks.md). `also` is an extra
    SQL condition with its `params`; names are quoted here.
    """
    sql, values = select_where_in(table, columns, where_in, also, params)
    with cursor() as cur:
        cur.execute(sql, values)
        return cur.fetchall()


def select_where_in(table: str, columns: Sequence[str], where_in: dict[str, Iterable], also: str = "",
                    params: Sequence = ()) -> tuple[str, list]:
    """The (sql, params) of rows_where_in, for a Check or execute_together."""
    clauses, values = [], []
    for column, wanted in where_in.items():
        wanted = list(wanted)
        clauses.append(f"{quote(column)} IN ({placeholders(len(wanted))})")
        values.extend(wanted)
    if also:
        clauses.append(also)
        values.extend(params)
    return f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} WHERE {' AND '.join(clauses)}", values


class Check(NamedTuple):
    """A read-only question asked with one statement: `finish(rows)` makes its answer.

    `sql` None means the answer needs no query (`finish([])`). run_checks asks several in one
    round trip on PostgreSQL: the send batch's checks before its transaction (who is inactive,
    who blocked whom) cost the writer thread a wait each (docs/benchmarks.md, "peers").
    """

    sql: str | None
    params: Sequence
    finish: Callable[[list[tuple]], Any]


def run_checks(checks: Sequence[Check]) -> list:
    """Each check's answer, in order; the queries go together (execute_together)."""
    asked = [c for c in checks if c.sql is not None]
    rows = iter(execute_together([(c.sql, c.params) for c in asked]) if asked else [])
    return [c.finish(next(rows) if c.sql is not None else []) for c in checks]


# What opens a batch write's transaction on PostgreSQL (write_transaction). Every statement of
# the send batch finds its rows by key, and its prepared statements keep a generic plan,
# which for an `IN (…)` of 8 or more values estimates many rows: on tables of a few thousand
# rows (a small marketplace, the bench's population) that plan scans the whole table, and
# every dead row the participations' updates leave until VACUUM makes the scan longer.
# Without sequential scans the same statements walk their indexes: PostgreSQL's time per
# message at batches of 8 went from 662 to 351 µs (docs/benchmarks.md, "Index plans for the
# send batch"). SET LOCAL ends with the transaction. A statement with no usable index still
# scans (the setting only prices scans out); the results are the same either way.
BEGIN_WRITE = ("BEGIN", "SET LOCAL enable_seqscan = off")
_OPENING = "".join(f"{statement};\n" for statement in BEGIN_WRITE)


@contextmanager
def write_transaction() -> Iterator[None]:
    """`transaction.atomic()` for a batch write, whose BEGIN rides with its first statement.

    psycopg opens a transaction by sending BEGIN on its own and waiting for the answer before
    the first statement: a round trip that carries nothing, one of three per send batch, and
    under load each costs the writer thread a wait for the GIL as well (docs/benchmarks.md,
    "peers"). In an outermost block on PostgreSQL, psycopg is told to leave BEGIN alone (its
    autocommit mode; Django's own state still says a transaction is open, so on_commit, the
    checks and the block's end work as before) and the block's first statement through
    Django's cursor goes as `BEGIN;` (and the rest of BEGIN_WRITE) and that statement, in one
    query. Everything after it runs in that transaction; at the block's end Django's commit or
    rollback reaches psycopg, which sends COMMIT or ROLLBACK while the server's transaction is
    open and nothing once it is over (a COMMIT that rode, commit_riding). Elsewhere (SQLite,
    nested, a test's transaction) it is `transaction.atomic()` as it is.
    """
    conn = connections[DEFAULT_DB_ALIAS]  # once: `connection` is a thread-local proxy
    with transaction.atomic():
        if not postgres() or len(conn.atomic_blocks) != 1 or conn.savepoint_ids:
            yield
            return
        with conn.wrap_database_errors:  # a broken connection fails as Django's DatabaseError
            conn.connection.autocommit = True  # allowed: nothing was sent since the block began
        pending = [True]

        def begin_first(execute, sql, params, many, context):
            if not pending:
                return execute(sql, params, many, context)
            pending.clear()
            if many:  # executemany takes one statement: BEGIN goes alone, as psycopg would send it
                context["cursor"].cursor.execute(_OPENING)
                return execute(sql, params, many, context)
            result = execute(_OPENING + sql, params, many, context)
            for _ in BEGIN_WRITE:  # past BEGIN's and SET's results, to the statement's own
                context["cursor"].cursor.nextset()
            return result

        with conn.execute_wrapper(begin_first):
            yield


def commit_riding() -> list[tuple[str, list]]:
    """[("COMMIT", [])] when the caller's last round trip may carry its transaction's COMMIT.

    Only on PostgreSQL, and only in an outermost `transaction.atomic()` (not a savepoint, not a
    test's wrapping transaction): the COMMIT then travels with the last statements, and the
    atomic block's own commit finds the transaction over and sends nothing (psycopg's commit()
    on an idle connection). A round trip less per send batch: under load each one costs the
    writer thread a wait (docs/benchmarks.md, "peers"). A failing COMMIT fails the call, so the
    block rolls back and its on_commit hooks never run, as before. Nothing may touch the
    database after that round trip inside the block.
    """
    if not postgres():
        return []
    conn = connections[DEFAULT_DB_ALIAS]
    if len(conn.atomic_blocks) != 1 or conn.savepoint_ids or conn.needs_rollback:
        return []
    return [("COMMIT", [])]


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


# psycopg parses a query for its placeholders once and caches the parse (an LRU of 128
# queries), but only for queries of at most 4,096 characters and 50 parameters
# (psycopg/_queries.py); a longer one is parsed with a regular expression on every execute,
# about 1 µs per parameter. A send batch of 8 has some 150 parameters, so at those limits its
# two round trips became seven. The send path's queries come in few shapes (one per batch size
# and statement mix: their text is `EXECUTE name(%s, …)` once prepared, core/prepared.py), so
# caching bigger ones is cheap: the limits are raised to MERGE_MAX_* for this process, and
# merged queries stay within them (bench.send_micro --postgres --batch 8, docs/benchmarks.md).
MERGE_MAX_CHARS, MERGE_MAX_PARAMS = 16384, 1024


def _cache_bigger_query_parses() -> None:
    try:
        from psycopg import _queries
    except ImportError:  # SQLite only: no psycopg
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", MERGE_MAX_PARAMS) < MERGE_MAX_PARAMS:
        _queries.MAX_CACHED_STATEMENT_PARAMS = MERGE_MAX_PARAMS
    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", MERGE_MAX_CHARS) < MERGE_MAX_CHARS:
        _queries.MAX_CACHED_STATEMENT_LENGTH = MERGE_MAX_CHARS


_cache_bigger_query_parses()


def execute_together(statements: Sequence[tuple[str, Sequence]]) -> list[list[tuple]]:
    """Run (sql, params) statements in order; return each one's rows ([] when it returns none).

    On PostgreSQL consecutive statements travel as one query, so one round trip, while the
    merged query stays within psycopg's parse cache (MERGE_MAX_*): Django's psycopg cursor
    binds parameters client-side, so several statements go in one simple-protocol query, and
    each result is read with nextset(). Each round trip of a send batch costs the writer thread
    Python CPU and a wait (docs/benchmarks.md, "peers"). SQLite runs in the process and takes
    one statement per execute, so there they run one by one. A failing statement fails the
    call, and the caller's transaction with it, as when they run one by one. Inside
    `prepared.prepared()` each statement goes as an EXECUTE of one prepared per connection.
    """
    out: list[list[tuple]] = []
    with cursor() as cur:
        if not postgres():
            for sql, params in statements:
                cur.execute(sql, params)
                out.append(cur.fetchall() if cur.description is not None else [])
            return out
        raw = cur.cursor  # psycopg's: its pgresult says cheaply what `description` builds columns for
        if not prepared.active():
            return _run_groups(cur, raw, statements, None, out)
        kept = prepared.Statements.of(raw.connection)
        sent, answers, fresh = kept.rewrite(statements)
        try:
            _run_groups(cur, raw, sent, iter(answers), out)
        except BaseException:
            kept.stale = True
            raise
        kept.confirm(fresh)
    return out


def _run_groups(cur, raw, statements, answers, out: list) -> list:
    """Send the statements in groups (one query each); append to `out` the rows of each one
    whose `answers` flag is true (every one's when `answers` is None)."""
    for group in _groups(statements):
        cur.execute(";\n".join(sql for sql, _ in group), [p for _, params in group for p in params])
        for n in range(len(group)):
            if n:
                raw.nextset()
            if answers is None or next(answers):
                out.append(raw.fetchall() if raw.pgresult.nfields else [])
    return out


def _groups(statements: Sequence[tuple[str, Sequence]]) -> list[list[tuple[str, Sequence]]]:
    groups: list[list] = []
    chars = params = 0
    for sql, values in statements:
        if groups and chars + len(sql) + 2 <= MERGE_MAX_CHARS and params + len(values) <= MERGE_MAX_PARAMS:
            groups[-1].append((sql, values))
            chars, params = chars + len(sql) + 2, params + len(values)
        else:
            groups.append([(sql, values)])
            chars, params = len(sql), len(values)
    return groups


def insert_rows_statement(table: str, columns: Sequence[str], rows: Sequence[Sequence], *,
                          row_sql: str | None = None) -> tuple[str, list]:
    """The (sql, params) of one multi-row INSERT of all `rows`, for execute_together."""
    row_sql = row_sql or "(" + placeholders(len(columns)) + ")"
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    return head + ", ".join([row_sql] * len(rows)), [v for row in rows for v in row]


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
    with cursor() as cur:
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = rows[start : start + CHUNK_ROWS]
            cur.execute(head + ", ".join([row_sql] * len(chunk)) + tail, [v for row in chunk for v in row])
            if returning:
                out += cur.fetchall()
    return out

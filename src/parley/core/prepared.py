"""Server-side prepared statements for the send path's fixed statements, on PostgreSQL.

Django's psycopg cursor binds parameters client-side, so PostgreSQL parses, analyses and
plans every statement it is sent. For the send batch's statements that was a third of
PostgreSQL's time per batch (pg_stat_statements: 0.30 ms of planning in 0.93 ms;
docs/benchmarks.md, "peers"), and PostgreSQL shares the machine's cores with the server.

Inside `prepared()`, `sql.execute_together` sends each statement as `EXECUTE name(…)` of a
statement prepared once per connection: the first use of a statement's text sends its
`PREPARE name AS …` in the same query, just before it, so it costs no round trip. The
parameters are still bound client-side (as literals of the EXECUTE), so everything else about
the query (one string, one round trip, psycopg's parse cache) stays as it was. PostgreSQL
keeps a generic plan once it has seen a statement five times.

Only SELECT/INSERT/UPDATE/DELETE/WITH statements with at most MAX_PARAMS parameters are
prepared (a batch's VALUES lists grow with it; the long ones are rare and not worth a slot),
and at most MAX_STATEMENTS per connection. A prepared statement outlives the transaction
that made it, even one that rolled back, so after a failed round trip this connection's
statements are all deallocated before its next use: which of the round trip's PREPAREs ran
is not known. `PARLEY_PREPARED_STATEMENTS = False` turns this off (for a pooler in
transaction mode, which may hand the next transaction another server connection:
docs/deploy.md).
"""

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings

MAX_PARAMS = 120
MAX_STATEMENTS = 200

_on = threading.local()
_PREPARABLE = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
_PLACEHOLDER = re.compile(r"%%|%s")


@contextmanager
def prepared() -> Iterator[None]:
    """Let execute_together use prepared statements on this thread inside (it asks `active()`
    on PostgreSQL only: SQLite plans in the process)."""
    if active() or not _enabled():
        yield
        return
    _on.active = True
    try:
        yield
    finally:
        _on.active = False


def _enabled() -> bool:
    # Django's settings (parley.core sits below parley.conf); parley.conf documents the default.
    return getattr(settings, "PARLEY_PREPARED_STATEMENTS", True)


def active() -> bool:
    return getattr(_on, "active", False)


class Statements:
    """One connection's prepared statements: their names by SQL text."""

    __slots__ = ("names", "stale")

    def __init__(self):
        self.names: dict[str, str] = {}
        self.stale = False  # a round trip failed: which PREPAREs ran is unknown

    @classmethod
    def of(cls, raw_connection) -> "Statements":
        statements = getattr(raw_connection, "_parley_prepared", None)
        if statements is None:
            statements = cls()
            raw_connection._parley_prepared = statements
        return statements

    def rewrite(self, statements: Sequence[tuple[str, Sequence]]) -> tuple[list[tuple[str, Sequence]], list[bool], dict]:
        """(statements to send, which of them answer a caller's statement, names to confirm)."""
        out, answers, fresh = [], [], {}
        if self.stale:
            out.append(("DEALLOCATE ALL", []))
            answers.append(False)
            self.names.clear()
            self.stale = False
        for sql, params in statements:
            name = self.names.get(sql) or fresh.get(sql)  # a text twice in one call is prepared once
            if name is None and _preparable(sql, params) and len(self.names) + len(fresh) < MAX_STATEMENTS:
                name = fresh[sql] = f"parley_{len(self.names) + len(fresh)}"
                out.append((f"PREPARE {name} AS {_numbered(sql)}", []))
                answers.append(False)
            if name is None:
                out.append((sql, params))
            else:
                out.append((f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params))
            answers.append(True)
        return out, answers, fresh

    def confirm(self, fresh: dict) -> None:
        self.names.update(fresh)


def _preparable(sql: str, params: Sequence) -> bool:
    return len(params) <= MAX_PARAMS and sql.lstrip()[:6].upper().startswith(_PREPARABLE)


def _numbered(sql: str) -> str:
    """The statement with its %s placeholders as $1, $2, … (%% stays, for the client's parse)."""
    count = 0

    def number(match: re.Match) -> str:
        nonlocal count
        if match.group() == "%%":
            return "%%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)

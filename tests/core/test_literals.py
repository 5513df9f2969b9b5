"""core.sql.inline_literals: the send path's parameters written into its queries on PostgreSQL,
exactly as psycopg's client-side binding writes them, and read back unchanged."""

import datetime
import uuid

import pytest
from django.db import connection, transaction

from parley.core.sql import execute_together, inline_literals, psycopg_literal

pytestmark = pytest.mark.django_db(transaction=True)

TRICKY = [
    0, 7, -7, 2**62, -(2**62), 2**70, True, False, None, 1.5,
    "plain", "it's", "back\\slash", "50% off, 100%% sure %s %(x)s", "-- not a comment", "'); DROP TABLE x; --",
    "émoji 🙂 naïve", "", "line\nbreak\ttab",
    datetime.datetime(2026, 12, 6, 11, 30, 5, 123456, tzinfo=datetime.timezone.utc), datetime.date(2026, 12, 6),
    uuid.UUID("12345678-1234-5678-1234-567812345678"), b"\x00\x01bytes'",
]


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite binds its parameters in the process")
    connection.ensure_connection()


def test_the_query_is_what_psycopgs_own_binding_makes():
    _postgres_only()
    import psycopg

    sql = "SELECT " + ", ".join(f"{op}%s" for op in ["", "0 - ", "1 -", "-"] * 6) + " WHERE '%%' = '%%'"
    params = (TRICKY * 2)[: sql.count("%s")]
    with connection.cursor() as cur:
        raw = cur.cursor
        expected = psycopg.ClientCursor(raw.connection).mogrify(sql, params)
        assert inline_literals(sql, params, psycopg_literal(raw)) == expected


def test_values_come_back_unchanged_through_execute_together():
    _postgres_only()
    with transaction.atomic():
        rows = execute_together([
            ("SELECT " + ", ".join(["%s"] * len(TRICKY)), TRICKY),
            ("SELECT 10 - %s, 10 -%s, '%%s'", [-3, -3]),
        ])
    first, second = rows
    back = list(first[0])
    assert back[:6] == TRICKY[:6]
    assert back[6:10] == [True, False, None, 1.5]
    assert back[10:19] == TRICKY[10:19]
    assert back[19] == TRICKY[19] and back[20] == TRICKY[20] and back[21] == TRICKY[21]
    assert bytes(back[22]) == TRICKY[22]
    assert second == [(13, 13, "%s")], "a negative number after a minus stays a number, %% a percent sign"

"""PostgreSQL: the message document `parley_search_tsv` builds (migration 0002's PL/pgSQL),
lexeme for lexeme the document of migration 0001's SQL function, which search was built on."""

import importlib

import pytest
from django.db import connection

m0001 = importlib.import_module("parley.search.migrations.0001_search_index")
m0002 = importlib.import_module("parley.search.migrations.0002_search_tsv_plpgsql")

pytestmark = pytest.mark.django_db

BODIES = [
    "Is the bike still available?",
    "Crème brûlée à Noël, ÉTÉ über Ærø",
    "1764900000000000000 42 bench message",
    "a b c",  # words too short for any start
    "",
    "   ",
    "price: 120€ — or 100 cash? https://example.com/x?y=1 mail me at a.b@example.org",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism",
    "Привет, мир! 你好 😀 مرحبا",
    "repeat repeat repeat rep re",
]


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's index is FTS5, kept by its own triggers")


@pytest.mark.parametrize("body", BODIES)
def test_the_plpgsql_document_is_the_sql_functions(body):
    _postgres_only()
    with connection.cursor() as cur:
        # Migration 0001's SQL function beside it, under another name, in this test's transaction.
        cur.execute(m0001.TSV_FUNCTION.replace("FUNCTION parley_search_tsv(", "FUNCTION pg_temp.tsv_0001(", 1))
        cur.execute("SELECT parley_search_tsv(%s, 7, 1234567890123)::text, pg_temp.tsv_0001(%s, 7, 1234567890123)::text",
                    [body, body])
        ours, reference = cur.fetchone()
    assert ours == reference
    assert "'#u7'" in ours and "'#u1234567890123'" in ours


def test_the_function_is_plpgsql_so_its_plans_last_the_connection():
    """A SQL function that cannot be inlined is planned again on every statement that calls
    it, once per message sent (migration 0002's docstring): it must stay PL/pgSQL."""
    _postgres_only()
    with connection.cursor() as cur:
        cur.execute("SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
                    "WHERE p.proname = 'parley_search_tsv'")
        assert cur.fetchall() == [("plpgsql",)]
    assert "LANGUAGE plpgsql" in m0002.PLPGSQL_VERSION and "LANGUAGE sql" in m0002.SQL_VERSION

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


def test_the_indexs_pending_list_is_merged_at_256_kb_not_4_mb():
    """New entries wait in the GIN index's pending list, and the INSERT that takes it past the
    limit merges it, inside a send's transaction: at PostgreSQL's 4 MB that stalled every send
    for about 90 ms (migration 0003's docstring). 3,000 documents of 50 words each are about
    2 MB of entries: with the default limit all of them would still be pending."""
    _postgres_only()
    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")  # undone with the test's transaction
        cur.execute("""INSERT INTO parley_search_doc (message_id, tsv)
            SELECT -g, array_to_tsvector(ARRAY(SELECT 'w' || g || 'x' || k FROM generate_series(1, 50) AS k))
            FROM generate_series(1, 3000) AS g""")
        cur.execute("SELECT pending_pages, pending_tuples FROM pgstatginindex('parley_search_doc_tsv')")
        pages, tuples = cur.fetchone()
    assert pages <= 256 // 8 + 1, f"{pages} pages ({tuples} entries) pending: the list outgrew 256 kB"
    assert tuples < 3000 * 50

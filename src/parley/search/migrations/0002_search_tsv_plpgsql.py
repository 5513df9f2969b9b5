"""PostgreSQL: `parley_search_tsv` in PL/pgSQL, the same document as migration 0001's.

0001 wrote it in SQL. A SQL function that PostgreSQL cannot inline (this one has a WITH and
calls the STABLE unaccent) is parsed and planned again each time the statement that calls
it runs, and the index trigger runs one such statement per message: 78 µs of PostgreSQL's
time per message sent, against 22 µs in PL/pgSQL, which keeps its plans for the
connection's life (docs/benchmarks.md, "The search trigger's plans"). SQLite: nothing to do.
"""

from importlib import import_module

from django.db import migrations

# Migration 0001's SQL function, put back on reverse.
SQL_VERSION = import_module("parley.search.migrations.0001_search_index").TSV_FUNCTION

# The words ('simple' over unaccent), the participants as "#u<id>", and every word start of 2 to
# 6 characters as "~<start>": migration 0001's document, lexeme for lexeme
# (tests/search/test_postgres_document.py compares the two).
PLPGSQL_VERSION = """CREATE OR REPLACE FUNCTION parley_search_tsv(body text, buyer_id bigint, seller_id bigint) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
    DECLARE
        words tsvector := to_tsvector('simple'::regconfig, unaccent('unaccent'::regdictionary, body));
    BEGIN
        RETURN words
            || array_to_tsvector(ARRAY['#u' || buyer_id, '#u' || seller_id])
            || array_to_tsvector(ARRAY(
                SELECT DISTINCT '~' || left(l, n) FROM unnest(tsvector_to_array(words)) AS l, generate_series(2, 6) AS n
                WHERE char_length(l) >= n));
    END
    $$"""


def _replace(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("parley_search", "0001_search_index")]

    operations = [migrations.RunPython(_replace(PLPGSQL_VERSION), _replace(SQL_VERSION))]

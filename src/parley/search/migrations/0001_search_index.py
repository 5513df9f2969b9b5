"""The search index of the database in use: SQLite FTS5 or PostgreSQL full text, each kept
in step by triggers on the message table (so every writer, the send path's batched INSERT
included, updates it in its own transaction), and filled from the messages already there."""

from django.db import migrations

MESSAGE = "parley_conversations_message"
CONVERSATION = "parley_conversations_conversation"

SQLITE = [
    # unicode61 folds case and, with remove_diacritics 2, accents; words are matched by prefix
    # (query.py), with prefix indexes of 2 to 6 characters: a word start of those lengths is one
    # doclist, not a merge of every word it begins (docs/benchmarks.md).
    "CREATE VIRTUAL TABLE parley_search_fts USING fts5(body, owners, detail=column, prefix='2 3 4 5 6', "
    "tokenize=\"unicode61 remove_diacritics 2\")",
    f"""CREATE TRIGGER parley_search_ai AFTER INSERT ON {MESSAGE}
        WHEN new.deleted_at IS NULL AND new.hidden_at IS NULL BEGIN
        INSERT INTO parley_search_fts(rowid, body, owners)
        SELECT new.id, new.body, 'u' || c.buyer_id || ' u' || c.seller_id FROM {CONVERSATION} c WHERE c.id = new.conversation_id;
    END""",
    f"""CREATE TRIGGER parley_search_ad AFTER DELETE ON {MESSAGE} BEGIN
        DELETE FROM parley_search_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER parley_search_au AFTER UPDATE OF body, deleted_at, hidden_at ON {MESSAGE} BEGIN
        DELETE FROM parley_search_fts WHERE rowid = old.id;
        INSERT INTO parley_search_fts(rowid, body, owners)
        SELECT new.id, new.body, 'u' || c.buyer_id || ' u' || c.seller_id FROM {CONVERSATION} c
        WHERE c.id = new.conversation_id AND new.deleted_at IS NULL AND new.hidden_at IS NULL;
    END""",
    f"""INSERT INTO parley_search_fts(rowid, body, owners)
        SELECT m.id, m.body, 'u' || c.buyer_id || ' u' || c.seller_id FROM {MESSAGE} m
        JOIN {CONVERSATION} c ON c.id = m.conversation_id WHERE m.deleted_at IS NULL AND m.hidden_at IS NULL""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS parley_search_ai", "DROP TRIGGER IF EXISTS parley_search_ad",
    "DROP TRIGGER IF EXISTS parley_search_au", "DROP TABLE IF EXISTS parley_search_fts",
]

# A message's document: its words ('simple' over unaccent: folded, not stemmed), every word
# start of 2 to 6 characters as a lexeme "~<start>" (so a typed word start is one exact GIN
# entry, not a scan of every lexeme it begins), and the two participants as "#u<id>". A
# typed word holds letters and digits only, so it never names a "~" or "#" lexeme itself.
# Migration 0002 replaces it with the same document in PL/pgSQL, and puts this back on reverse.
TSV_FUNCTION = """CREATE OR REPLACE FUNCTION parley_search_tsv(body text, buyer_id bigint, seller_id bigint) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$
        WITH w AS (SELECT to_tsvector('simple'::regconfig, parley_unaccent(body)) AS v)
        SELECT w.v
            || array_to_tsvector(ARRAY['#u' || buyer_id, '#u' || seller_id])
            || array_to_tsvector(ARRAY(
                SELECT DISTINCT '~' || left(l, n) FROM unnest(tsvector_to_array(w.v)) AS l, generate_series(2, 6) AS n
                WHERE char_length(l) >= n))
        FROM w
        $$"""

POSTGRESQL = [
    # A trusted extension since PostgreSQL 13: the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # unaccent() is STABLE (its dictionary could change); the index needs a fixed function.
    """CREATE OR REPLACE FUNCTION parley_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT unaccent('unaccent'::regdictionary, $1) $$""",
    TSV_FUNCTION,
    "CREATE TABLE parley_search_doc (message_id bigint PRIMARY KEY, tsv tsvector NOT NULL)",
    "CREATE INDEX parley_search_doc_tsv ON parley_search_doc USING gin (tsv)",
    f"""CREATE OR REPLACE FUNCTION parley_search_index() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM parley_search_doc WHERE message_id = OLD.id;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        IF NEW.deleted_at IS NULL AND NEW.hidden_at IS NULL THEN
            INSERT INTO parley_search_doc (message_id, tsv)
            SELECT NEW.id, parley_search_tsv(NEW.body, c.buyer_id, c.seller_id) FROM {CONVERSATION} c
            WHERE c.id = NEW.conversation_id;
        END IF;
        RETURN NEW;
    END $$""",
    f"""CREATE TRIGGER parley_search_index AFTER INSERT OR DELETE OR UPDATE OF body, deleted_at, hidden_at
        ON {MESSAGE} FOR EACH ROW EXECUTE FUNCTION parley_search_index()""",
    f"""INSERT INTO parley_search_doc (message_id, tsv)
        SELECT m.id, parley_search_tsv(m.body, c.buyer_id, c.seller_id) FROM {MESSAGE} m
        JOIN {CONVERSATION} c ON c.id = m.conversation_id
        WHERE m.deleted_at IS NULL AND m.hidden_at IS NULL""",
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER IF EXISTS parley_search_index ON {MESSAGE}", "DROP FUNCTION IF EXISTS parley_search_index()",
    "DROP TABLE IF EXISTS parley_search_doc", "DROP FUNCTION IF EXISTS parley_search_tsv(text, bigint, bigint)",
    "DROP FUNCTION IF EXISTS parley_unaccent(text)",
]


def _run(statements):
    def run(apps, schema_editor):
        chosen = statements.get(schema_editor.connection.vendor)
        if chosen is None:
            raise RuntimeError(f"parley.search supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}.")
        for sql in chosen:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("parley_conversations", "0006_message_reply_to")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]

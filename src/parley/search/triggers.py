"""The SQLite index's triggers, put back after any migration that lost them.

On SQLite, Django alters a table by making a new one and copying the rows (for example to add a
NOT NULL column), and the old table's triggers go with it. The index's rows survive (they are
keyed by message id), but new messages would no longer be indexed. So after every `migrate`
(post_migrate) the triggers that are missing are made again. PostgreSQL alters tables in place
and keeps its trigger, so nothing is needed there. The statements are those of migration 0001.
"""

from django.db import connections

MESSAGE = "parley_conversations_message"
CONVERSATION = "parley_conversations_conversation"

SQLITE_TRIGGERS = {
    "parley_search_ai": f"""CREATE TRIGGER IF NOT EXISTS parley_search_ai AFTER INSERT ON {MESSAGE}
        WHEN new.deleted_at IS NULL AND new.hidden_at IS NULL BEGIN
        INSERT INTO parley_search_fts(rowid, body, owners)
        SELECT new.id, new.body, 'u' || c.buyer_id || ' u' || c.seller_id FROM {CONVERSATION} c WHERE c.id = new.conversation_id;
    END""",
    "parley_search_ad": f"""CREATE TRIGGER IF NOT EXISTS parley_search_ad AFTER DELETE ON {MESSAGE} BEGIN
        DELETE FROM parley_search_fts WHERE rowid = old.id;
    END""",
    "parley_search_au": f"""CREATE TRIGGER IF NOT EXISTS parley_search_au AFTER UPDATE OF body, deleted_at, hidden_at ON {MESSAGE} BEGIN
        DELETE FROM parley_search_fts WHERE rowid = old.id;
        INSERT INTO parley_search_fts(rowid, body, owners)
        SELECT new.id, new.body, 'u' || c.buyer_id || ' u' || c.seller_id FROM {CONVERSATION} c
        WHERE c.id = new.conversation_id AND new.deleted_at IS NULL AND new.hidden_at IS NULL;
    END""",
}


def restore_triggers(using: str = "default", **_kwargs) -> list[str]:
    """Make the SQLite index's missing triggers again; return their names (a post_migrate receiver)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, type FROM sqlite_master WHERE name LIKE 'parley_search_%'")
        present = {name for name, _type in cursor.fetchall()}
        if "parley_search_fts" not in present:  # migration 0001 has not run (yet)
            return []
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(SQLITE_TRIGGERS[name])
    return missing

"""SQLite: an FTS5 table (unicode61 with remove_diacritics 2: case and accents folded) that
triggers on the message table keep in step, inside the writer's own transaction."""

from django.db import connection

TABLE = "parley_search_fts"


class SQLiteFTS5Backend:
    vendor = "sqlite"

    def match_expression(self, *, user_id: int, terms: tuple[str, ...]) -> str:
        # Every term is a quoted prefix of the body column; terms hold letters and digits only
        # (query.parse), so nothing in them is FTS5 syntax.
        words = " AND ".join(f'body : "{t}"*' for t in terms)
        return f'owners : "u{int(user_id)}" AND {words}'

    def message_ids(self, *, user_id, terms, before_id, limit):
        sql = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"
        params: list = [self.match_expression(user_id=user_id, terms=terms)]
        if before_id is not None:
            sql += " AND rowid < %s"
            params.append(before_id)
        sql += " ORDER BY rowid DESC LIMIT %s"
        params.append(limit)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [row[0] for row in cur.fetchall()]

"""PostgreSQL: a tsvector per message in its own table with a GIN index, kept in step by a
trigger on the message table (`parley_search_tsv` in the migration): the words ('simple' over
unaccent: case and accents folded, no language's stemmer), each word start of 2 to 6
characters as "~<start>", and the participants as "#u<id>"."""

from django.db import connection

TABLE = "parley_search_doc"
PREFIX_MAX = 6  # word starts indexed as lexemes of their own (the migration's generate_series)


class PostgresFTSBackend:
    vendor = "postgresql"

    def tsquery(self, *, user_id: int, terms: tuple[str, ...]) -> str:
        # Terms hold letters and digits only (query.parse), so quoting them is enough: nothing in
        # them is tsquery syntax. A start of up to 6 characters is one exact entry; a longer one
        # is its 6-character entry and the word start itself.
        parts = [f"'#u{int(user_id)}'"]
        for t in terms:
            parts.append(f"'~{t}'" if len(t) <= PREFIX_MAX else f"'~{t[:PREFIX_MAX]}' & '{t}':*")
        return " & ".join(parts)

    def message_ids(self, *, user_id, terms, before_id, limit):
        # MATERIALIZED keeps the GIN index in charge: with ORDER BY … LIMIT on the bare table the
        # planner walked the primary key backwards and tested every newer message (480 ms for a
        # user whose conversations are old, against 10-30 ms through the index; docs/benchmarks.md).
        where = "tsv @@ %s::tsquery"
        params: list = [self.tsquery(user_id=user_id, terms=terms)]
        if before_id is not None:
            where += " AND message_id < %s"
            params.append(before_id)
        sql = (f"WITH hits AS MATERIALIZED (SELECT message_id FROM {TABLE} WHERE {where}) "
               "SELECT message_id FROM hits ORDER BY message_id DESC LIMIT %s")
        params.append(limit)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [row[0] for row in cur.fetchall()]

"""PostgreSQL: flush the search index's pending list at 256 kB, not at the server's 4 MB.

A GIN index with `fastupdate` (the default) queues new entries in a pending list, and the
INSERT that takes the list past `gin_pending_list_limit` merges it into the index itself,
inside the sender's transaction, with the conversation rows locked. At the default 4 MB that
was a stall of 85–98 ms every 8,300 messages or so (each message brings a few dozen entries:
its words, their starts, its participants), and every send behind it waited: in the
side-by-side bench, about 3 such stalls per 15-second step at 1,500 msg/s. At 256 kB the
longest batch was 10.5 ms, for the same CPU (docs/benchmarks.md, "The search index's pending
list"). SQLite: nothing to do.
"""

from django.db import migrations

PENDING_LIST_KB = 256


def _set(value):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER INDEX parley_search_doc_tsv {value}")

    return run


class Migration(migrations.Migration):
    dependencies = [("parley_search", "0002_search_tsv_plpgsql")]

    operations = [migrations.RunPython(_set(f"SET (gin_pending_list_limit = {PENDING_LIST_KB})"),
                                       _set("RESET (gin_pending_list_limit)"))]

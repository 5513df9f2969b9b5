"""Run by tests/test_test_database.py as a pytest session of its own (not collected otherwise):
a thread opens a connection to the test database and keeps it past the session's end."""

import threading

import pytest
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_a_thread_keeps_a_connection_to_the_test_database():
    opened = threading.Event()

    def hold():
        connection.ensure_connection()  # this thread's own connection
        opened.set()
        threading.Event().wait()  # until the process ends

    threading.Thread(target=hold, daemon=True).start()
    assert opened.wait(10)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        assert cur.fetchone()[0] >= 2
    print("PROBE_DB", connection.settings_dict["NAME"])

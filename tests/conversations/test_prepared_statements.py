"""The send path's statements as prepared statements on PostgreSQL (core/prepared.py)."""

import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from parley.conversations import services
from parley.conversations.access import ConversationCache
from parley.conversations.models import Message
from parley.core import prepared
from parley.core.sql import execute_together
from tests import factories as f

pytestmark = [pytest.mark.usefixtures("no_rate_limit"), pytest.mark.django_db(transaction=True)]


def _postgres_only():
    """Skip on SQLite; on PostgreSQL start from a connection with nothing prepared (earlier
    tests share this connection)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite plans in the process and has no PREPARE")
    connection.ensure_connection()
    prepared.Statements.of(connection.connection).stale = True


def _send(sender, conv, body):
    with CaptureQueriesContext(connection) as queries:
        (req,) = services.send_batch([services.SendRequest(sender, conv.pk, body, uuid.uuid4())])
    assert req.error is None
    return req, [q["sql"] for q in queries.captured_queries]


def _server_prepared() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cur.fetchall()}


def test_sends_prepare_once_then_execute_in_the_same_two_round_trips():
    _postgres_only()
    alice, bob, _carol, conv = f.trio()
    _first, sqls = _send(bob, conv, "first")
    assert sqls[sqls.index("BEGIN") + 1].startswith("BEGIN;\nSET LOCAL enable_seqscan = off;\nDEALLOCATE ALL;")
    assert any("PREPARE parley_" in s for s in sqls)
    # The unread totals' statement has a row per user whose total moves: one for a first
    # message (the sender had nothing unread), two for a reply. A reply prepares its shape once.
    _send(alice, conv, "second")
    req, sqls = _send(bob, conv, "third")
    trips = sqls[sqls.index("BEGIN") + 1:sqls.index("COMMIT")]
    assert len(trips) == 2, trips
    assert "PREPARE" not in " ".join(trips) and trips[0].count("EXECUTE parley_") >= 4, trips
    assert trips[1].rstrip().endswith("COMMIT")
    assert {"parley_0", "parley_1"} <= _server_prepared()
    # Everything the statements return still arrives: seqs, counts and events.
    assert req.result.seq == 3 and req.own_event is not None
    assert list(Message.objects.filter(conversation=conv).order_by("seq").values_list("body", flat=True)) == [
        "first", "second", "third"]


def test_a_failed_round_trip_deallocates_the_connections_statements_before_the_next():
    _postgres_only()
    alice, bob, _carol, conv = f.trio()
    _send(bob, conv, "warm")
    assert _server_prepared()
    failing = ("SELECT 1 / (SELECT COUNT(*) - COUNT(*) FROM auth_user WHERE id = %s)", [alice.pk])
    with pytest.raises(Exception), transaction.atomic(), prepared.prepared():
        # A statement prepared in this round trip, then an error: whether its PREPARE ran is
        # not known to the client, so the next use must start clean.
        execute_together([("SELECT id FROM auth_user WHERE id = %s AND is_active = %s", [bob.pk, True]), failing])
    req, sqls = _send(alice, conv, "after the failure")
    assert sqls[sqls.index("BEGIN") + 1].startswith("BEGIN;\nSET LOCAL enable_seqscan = off;\nDEALLOCATE ALL;")
    assert req.result.seq == 2
    assert "parley_0" in _server_prepared()


def test_off_sends_the_statements_as_they_are(settings):
    _postgres_only()
    settings.PARLEY_PREPARED_STATEMENTS = False
    alice, bob, _carol, conv = f.trio()
    _send(bob, conv, "first")
    _req, sqls = _send(alice, conv, "second")
    assert not any("PREPARE" in s or "EXECUTE parley_" in s for s in sqls)


def test_statement_text_is_numbered_for_prepare():
    assert prepared._numbered("SELECT %s, '%%', x FROM t WHERE a IN (%s, %s)") == "SELECT $1, '%%', x FROM t WHERE a IN ($2, $3)"
    assert prepared._preparable("  with locked AS (SELECT 1) UPDATE t SET a = %s", [1])
    assert not prepared._preparable("COMMIT", [])
    assert not prepared._preparable("SELECT %s", [0] * (prepared.MAX_PARAMS + 1))


def test_one_text_twice_in_a_call_is_prepared_once():
    _postgres_only()
    alice, bob, _carol, _conv = f.trio()
    ask = "SELECT id FROM auth_user WHERE id = %s"
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), prepared.prepared():
        assert execute_together([(ask, [alice.pk]), (ask, [bob.pk])]) == [[(alice.pk,)], [(bob.pk,)]]
        assert execute_together([(ask, [bob.pk])]) == [[(bob.pk,)]]
    sent = " ".join(q["sql"] for q in queries.captured_queries)
    assert sent.count("PREPARE ") == 1 and sent.count("EXECUTE parley_0") == 3


def _seq_scans(tables: list[str]) -> dict[str, int]:
    """Sequential scans per table so far, this connection's included (PostgreSQL 15 flushes a
    backend's counters when it goes idle, at most once a second unless forced)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")
    with connection.cursor() as cur:
        cur.execute("SELECT relname, seq_scan FROM pg_stat_user_tables WHERE relname = ANY(%s)", [tables])
        return dict(cur.fetchall())


def test_a_batch_of_eight_finds_its_rows_through_indexes_not_whole_table_scans():
    """A prepared statement keeps a generic plan after five runs; for an `IN (…)` of 16 users it
    estimates many rows and, on small tables, scanned every row of them (and every dead row the
    participations' updates leave until VACUUM). The write transaction prices such scans out."""
    _postgres_only()
    if connection.pg_version < 150000:
        pytest.skip("reads this backend's scan counts through pg_stat_force_next_flush() (PostgreSQL 15+)")
    pairs = []
    for i in range(12):
        seller = f.user(f"s{i}")
        pairs += [(f.conversation(buyer=f.user(f"b{i}"), seller=seller), seller)]
    tables = ["parley_conversations_participant", "auth_user", "parley_realtime_userstream",
              "parley_conversations_conversation", "parley_realtime_streamevent", "parley_safety_block"]

    cache = ConversationCache()  # as the server's writers: the access check's reads come from it

    def batch(round_):
        reqs = [services.SendRequest(seller, conv.pk, f"round {round_}", uuid.uuid4()) for conv, seller in pairs[:8]]
        done = services.send_batch(reqs, cache=cache)
        assert [r.error for r in done] == [None] * 8

    for round_ in range(7):  # past the five custom plans: the generic ones are kept from here
        batch(round_)
    before = _seq_scans(tables)
    for round_ in range(7, 10):
        batch(round_)
    after = _seq_scans(tables)
    assert {t: after.get(t, 0) - before.get(t, 0) for t in tables} == dict.fromkeys(tables, 0)

"""The send batch's round trips on PostgreSQL: each one costs the writer thread a wait (docs/benchmarks.md)."""

import uuid

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parley.conversations import services
from parley.conversations.access import ConversationCache
from parley.conversations.models import Message
from tests import factories as f
from tests.support.events import capture_events

pytestmark = pytest.mark.usefixtures("no_rate_limit")


def _send(sender, conv, body):
    with CaptureQueriesContext(connection) as queries, capture_events(expected=2) as captured:
        (req,) = services.send_batch([services.SendRequest(sender, conv.pk, body, uuid.uuid4())])
    assert req.error is None
    sqls = [q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]
    return sqls, {e.user_id: e.data for e in captured.events}


@override_settings(PARLEY_PREPARED_STATEMENTS=False)  # the statements' own text in the log
def test_the_read_state_is_read_in_the_round_trip_that_moves_the_counters(db):
    alice, bob, _carol, conv = f.trio()
    other = f.conversation(buyer=alice, seller=f.user("erin"))
    f.send(other, other.seller, "an unread one elsewhere")
    _send(bob, conv, "first")
    sqls, data = _send(bob, conv, "second")
    # The counts come out right: read after the counters moved, under their locks.
    assert (data[alice.pk]["unread"], data[alice.pk]["unread_total"]) == (2, 3)
    assert (data[bob.pk]["unread"], data[bob.pk]["unread_total"]) == (0, 0)
    if connection.vendor == "postgresql":
        moving = [s for s in sqls if "FOR UPDATE" in s]
        assert len(moving) == 1 and "SELECT 0, conversation_id, user_id, last_read_seq" in moving[0]
        assert sum("SELECT 0, conversation_id, user_id, last_read_seq" in s for s in sqls) == 1  # not asked again on its own


@override_settings(PARLEY_PREPARED_STATEMENTS=False)
@pytest.mark.django_db(transaction=True)
def test_a_batch_of_one_is_two_round_trips_on_postgresql_with_its_begin_in_the_first_and_commit_in_the_last():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite runs in the process, so a statement costs no round trip")
    alice, bob, _carol, conv = f.trio()
    cache = ConversationCache()
    services.send_batch([services.SendRequest(bob, conv.pk, "warm", uuid.uuid4())], cache=cache)
    psycopg_begins = []

    def watch(execute, sql, params, many, context):
        # psycopg sends a BEGIN of its own before a statement unless in its autocommit mode.
        psycopg_begins.append(not connection.connection.autocommit)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(watch):
        (req,) = services.send_batch([services.SendRequest(bob, conv.pk, "two trips", uuid.uuid4())], cache=cache)
    assert req.error is None and req.result.seq == 2
    sqls = [q["sql"] for q in queries.captured_queries]
    # Django logs its transaction control: BEGIN (when the block starts; nothing is sent then)
    # and its own COMMIT, which finds the transaction already committed and sends nothing.
    # After that come the after-commit sinks (the immediate task backend of the tests).
    assert sqls[0] == "BEGIN" and "COMMIT" in sqls
    trips = sqls[1:sqls.index("COMMIT")]
    assert len(trips) == 2, trips
    # The first: BEGIN itself (core.sql.write_transaction: psycopg sends none of its own), the
    # counters, who may not send, the read state and the message's INSERT.
    assert trips[0].startswith("BEGIN;\n") and psycopg_begins[:2] == [False, False]
    assert "last_seq = last_seq" in trips[0] and '"is_active"' in trips[0] and "INSERT INTO" in trips[0]
    # The last carries the events and the COMMIT: acknowledged means committed.
    assert trips[1].rstrip().endswith("COMMIT")
    assert not connection.in_atomic_block
    assert Message.objects.filter(conversation=conv).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_write_transaction_that_fails_keeps_nothing_and_leaves_the_connection_ready():
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError
    from psycopg.pq import TransactionStatus

    from parley.core.sql import execute_together, write_transaction

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: elsewhere write_transaction is transaction.atomic()")
    bob = f.user("bob")
    rename = ("UPDATE auth_user SET first_name = %s WHERE id = %s", ["Changed", bob.pk])
    with pytest.raises(DatabaseError), write_transaction():  # BEGIN rode with the first statement
        execute_together([rename])
        execute_together([("SELECT 1 / (SELECT COUNT(*) - COUNT(*) FROM auth_user)", [])])
    assert connection.connection.info.transaction_status == TransactionStatus.IDLE
    assert get_user_model().objects.get(pk=bob.pk).first_name != "Changed"  # rolled back
    with write_transaction():
        execute_together([rename])
    assert connection.get_autocommit() and connection.connection.autocommit
    assert get_user_model().objects.get(pk=bob.pk).first_name == "Changed"


def test_the_read_states_generic_plan_reads_a_sellers_total_as_one_row(db):
    """A prepared statement keeps PostgreSQL's generic plan. The unread totals were a sum over
    every conversation of the user's (a join that once hashed every conversation of the table);
    they are now one row per user, read by its key (docs/benchmarks.md, "What is left" (10))."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: its generic plans of prepared statements")
    from parley.conversations.models import Conversation, Participant, UnreadTotal
    from parley.conversations.services.send.sql import read_state

    from django.contrib.auth import get_user_model

    from parley.marketplace.models import Listing

    count, now = 1000, timezone.now()  # a seller in 1,000 conversations
    seller = f.user("seller")
    buyers = get_user_model().objects.bulk_create([get_user_model()(username=f"buyer{i}") for i in range(count)])
    listings = Listing.objects.bulk_create([Listing(seller=seller, title=f"Item {i}", price=1) for i in range(count)])
    conversations = Conversation.objects.bulk_create(
        [Conversation(listing=item, buyer=b, seller=seller, last_activity_at=now, last_seq=i % 3)
         for i, (b, item) in enumerate(zip(buyers, listings))])
    Participant.objects.bulk_create([Participant(conversation=c, user_id=uid, role=role, last_read_seq=0, last_activity_at=now)
                                     for c in conversations for uid, role in ((c.buyer_id, "buyer"), (c.seller_id, "seller"))])
    UnreadTotal.objects.bulk_create([UnreadTotal(user=seller, total=sum(i % 3 for i in range(count))),
                                     UnreadTotal(user=buyers[1], total=1)])
    check = read_state(conversation_ids=[conversations[0].pk, conversations[1].pk],
                       user_ids=[buyers[0].pk, buyers[1].pk, seller.pk])
    sql = check.sql.replace("%s", "{}").format(*(f"${n}" for n in range(1, len(check.params) + 1)))
    with connection.cursor() as cur:
        cur.execute("ANALYZE parley_conversations_participant, parley_conversations_unreadtotal")
        cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cur.execute("SET LOCAL enable_seqscan = off")  # as the send batch's transaction (core.sql.BEGIN_WRITE)
        cur.execute(f"PREPARE read_state_plan AS {sql}")
        try:
            cur.execute(f"EXPLAIN EXECUTE read_state_plan({', '.join(map(str, check.params))})")
            plan = "\n".join(row[0] for row in cur.fetchall())
        finally:
            cur.execute("DEALLOCATE read_state_plan")
    assert "Aggregate" not in plan and "parley_conversations_conversation" not in plan, plan
    assert "parley_conversations_unreadtotal_pkey" in plan, plan
    with connection.cursor() as cur:
        cur.execute(check.sql, check.params)
        read, _archived, totals = check.finish(cur.fetchall())
    assert totals == {buyers[1].pk: 1, seller.pk: sum(i % 3 for i in range(count))} and len(read) == 4

"""The send batch's round trips on PostgreSQL: each one costs the writer thread a wait (docs/benchmarks.md)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parley.conversations import services
from tests import factories as f
from tests.support.events import capture_events

pytestmark = pytest.mark.usefixtures("no_rate_limit")


def _send(sender, conv, body):
    with CaptureQueriesContext(connection) as queries, capture_events(expected=2) as captured:
        (req,) = services.send_batch([services.SendRequest(sender, conv.pk, body, uuid.uuid4())])
    assert req.error is None
    sqls = [q["sql"] for q in queries.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]
    return sqls, {e.user_id: e.data for e in captured.events}


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

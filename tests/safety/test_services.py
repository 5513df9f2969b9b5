"""Block and unblock on the real database: the send guard, conversation_start, events, access."""

import uuid

import pytest
from django.test import override_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parley.conversations import services as conv_services
from parley.conversations.models import Message
from parley.conversations.policy import Blocked
from parley.core.errors import NotFound
from parley.safety import services
from parley.safety.access import person_for
from parley.safety.models import Block
from tests import factories as f
from tests.support.events import capture_events

pytestmark = pytest.mark.usefixtures("no_rate_limit")


def test_block_refuses_the_blocked_users_sends_in_every_conversation(db):
    alice, bob, _carol, conv = f.trio()
    other = f.conversation(buyer=alice, seller=bob)  # bob sells to alice too
    with capture_events(expected=1) as captured:
        assert services.block_create(blocker=alice, blocked=bob) is True
    assert [(e.user_id, e.type, e.data) for e in captured.events] == [(alice.pk, "user.blocked", {"user_id": bob.pk})]
    for c in (conv, other):
        with pytest.raises(Blocked) as exc:
            f.send(c, bob, "still there?")
        assert (exc.value.code, exc.value.status, str(exc.value.message)) == (
            "blocked", 403, "You can't message this person.",
        )
    assert Message.objects.count() == 0
    f.send(conv, alice, "the blocker can still write")  # one-way: only bob is refused


def test_unblock_lets_them_send_again_and_tells_the_blocker(db):
    alice, bob, _carol, conv = f.trio()
    services.block_create(blocker=alice, blocked=bob)
    with capture_events(expected=0):
        assert services.block_create(blocker=alice, blocked=bob) is False  # twice: nothing new
    with capture_events(expected=1) as captured:
        assert services.block_delete(blocker=alice, blocked=bob) is True
    assert captured.events[0].type == "user.unblocked"
    with capture_events(expected=0):
        assert services.block_delete(blocker=alice, blocked=bob) is False
    f.send(conv, bob, "hello again")
    assert Block.objects.count() == 0


def test_a_blocked_user_cannot_start_a_new_conversation_with_the_blocker(db):
    alice, bob, _carol, _conv = f.trio()
    services.block_create(blocker=alice, blocked=bob)
    with pytest.raises(Blocked):
        conv_services.conversation_start(buyer=bob, listing=f.listing(seller=alice))
    # The blocker may still start one (and write); bob cannot answer.
    conv = f.conversation(buyer=alice, seller=bob)
    with pytest.raises(Blocked):
        f.send(conv, bob)


@override_settings(PARLEY_PREPARED_STATEMENTS=False)  # the statements' own text in the log, whatever this
# connection prepared in earlier tests (an EXECUTE would not name the table)
def test_the_batch_checks_blocks_with_one_query_and_refuses_only_the_blocked(db):
    alice, bob, carol, conv = f.trio()
    conv2 = f.conversation(buyer=carol, seller=alice)
    services.block_create(blocker=alice, blocked=bob)
    reqs = [
        conv_services.SendRequest(bob, conv.pk, "one", uuid.uuid4()),
        conv_services.SendRequest(carol, conv2.pk, "two", uuid.uuid4()),
        conv_services.SendRequest(alice, conv.pk, "three", uuid.uuid4()),
    ]
    with CaptureQueriesContext(connection) as queries:
        out = conv_services.send_batch(reqs)
    assert out[0].error is not None and out[0].error.code == "blocked"
    assert out[1].error is None and out[2].error is None
    # Asked once with the batch's first write; the refusal rolls it back and the rest is
    # written again, asked again: two, whatever the batch's size.
    assert sum("parley_safety_block" in q["sql"] for q in queries.captured_queries) == 2
    assert Message.objects.filter(sender=bob).count() == 0
    assert Message.objects.filter(body__in=["two", "three"]).count() == 2


@override_settings(PARLEY_PREPARED_STATEMENTS=False)  # the statements' own text in the log
def test_the_batch_asks_who_is_inactive_and_who_is_blocked_in_one_round_trip(db):
    alice, bob, carol, conv = f.trio()
    conv2 = f.conversation(buyer=carol, seller=alice)
    dave = f.user("dave")
    conv3 = f.conversation(buyer=dave, seller=alice)
    services.block_create(blocker=alice, blocked=bob)
    type(dave).objects.filter(pk=dave.pk).update(is_active=False)  # dave's object is stale: still active
    reqs = [
        conv_services.SendRequest(bob, conv.pk, "one", uuid.uuid4()),
        conv_services.SendRequest(carol, conv2.pk, "two", uuid.uuid4()),
        conv_services.SendRequest(dave, conv3.pk, "three", uuid.uuid4()),
    ]
    with CaptureQueriesContext(connection) as queries:
        out = conv_services.send_batch(reqs)
    assert [r.error.code if r.error else None for r in out] == ["blocked", None, "forbidden"]
    assert Message.objects.filter(sender=dave).count() == Message.objects.filter(sender=bob).count() == 0
    checks = [q["sql"] for q in queries.captured_queries if "parley_safety_block" in q["sql"]]
    assert len(checks) == 2  # with the first write, and again with the redo of the rest
    if connection.vendor == "postgresql":  # SQLite has no round trip to save: one by one there
        assert all('"is_active"' in sql and "last_seq = last_seq" in sql for sql in checks)


@override_settings(PARLEY_PREPARED_STATEMENTS=False)  # the statements' own text in the log
def test_a_batch_nobody_is_refused_in_asks_its_checks_with_its_first_write(db):
    alice, bob, carol, conv = f.trio()
    conv2 = f.conversation(buyer=carol, seller=alice)
    reqs = [conv_services.SendRequest(bob, conv.pk, "one", uuid.uuid4()),
            conv_services.SendRequest(carol, conv2.pk, "two", uuid.uuid4())]
    with CaptureQueriesContext(connection) as queries:
        out = conv_services.send_batch(reqs)
    assert [r.error for r in out] == [None, None]
    checks = [q["sql"] for q in queries.captured_queries if "parley_safety_block" in q["sql"]]
    assert len(checks) == 1
    if connection.vendor == "postgresql":  # in the round trip that moves the counters
        assert '"is_active"' in checks[0] and "last_seq = last_seq" in checks[0]


def test_only_people_you_share_a_conversation_with_can_be_blocked(db):
    alice, bob, carol, _conv = f.trio()
    assert person_for(alice, bob.pk) == bob
    for who in (carol.pk, alice.pk, 10**9, "x"):
        with pytest.raises(NotFound):
            person_for(alice, who)

"""send_batch directly: batches of many requests, as the group-commit writer hands them over.

The WebSocket's `send` frame calls send_batch with every send waiting for the writer; the
API sends batches of one. These tests build the batches themselves: several conversations
and senders, a double click, mixed errors, retries, the rate limit and the access cache.
"""

import uuid

import pytest

from parley.conversations import selectors
from parley.conversations.access import ConversationCache, conversations_for
from parley.conversations.models import Conversation, Message, Participant
from parley.conversations.services import SendRequest, send_batch
from parley.core.errors import Conflict, Invalid, NotFound, RateLimited
from parley.stream.models import StreamEvent, UserStream
from tests import factories as f
from tests.conftest import ManualClock
from tests.support.events import capture_events


@pytest.fixture
def world(db, rate_clock, settings):
    """alice sells to bob (c1) and carol (c2); dave sells to bob (c3). Rate limit far away."""
    settings.PARLEY_SEND_RATE = "1000/60"
    alice, bob, carol, dave = f.user("alice"), f.user("bob"), f.user("carol"), f.user("dave")
    c1 = f.conversation(buyer=bob, seller=alice)
    c2 = f.conversation(buyer=carol, seller=alice)
    c3 = f.conversation(buyer=bob, seller=dave)
    return alice, bob, carol, dave, c1, c2, c3


def req(sender, conv, body="hello", cmid=None):
    return SendRequest(sender, conv.pk if hasattr(conv, "pk") else conv, body, cmid or uuid.uuid4())


def marks(conv):
    return dict(Participant.objects.filter(conversation=conv).values_list("user_id", "last_read_seq"))


def stream_of(user):
    return list(StreamEvent.objects.filter(user=user).order_by("seq").values_list("seq", "type", "payload"))


def assert_gap_free(*users):
    for user in users:
        seqs = [seq for seq, _, _ in stream_of(user)]
        assert seqs == list(range(1, len(seqs) + 1)), (user.username, seqs)
        head = UserStream.objects.filter(user=user).values_list("last_seq", flat=True).first() or 0
        assert head == len(seqs), (user.username, head, seqs)


# --- many requests, several conversations and senders ---------------------------------------


def test_a_batch_across_conversations_and_senders(world):
    alice, bob, carol, _dave, c1, c2, _c3 = world
    batch = [req(bob, c1, "b1"), req(alice, c1, "a1"), req(carol, c2, "c1"), req(bob, c1, "b2"), req(alice, c2, "a2")]
    with capture_events(expected=10) as captured:
        out = send_batch(batch)
    assert out is batch
    assert [(r.error, r.created) for r in out] == [(None, True)] * 5
    assert [(r.result.conversation_id, r.result.seq, r.result.body) for r in out] == [
        (c1.pk, 1, "b1"), (c1.pk, 2, "a1"), (c2.pk, 1, "c1"), (c1.pk, 3, "b2"), (c2.pk, 2, "a2"),
    ]
    assert list(Message.objects.order_by("id").values_list("body", flat=True)) == ["b1", "a1", "c1", "b2", "a2"]
    assert dict(Conversation.objects.filter(pk__in=[c1.pk, c2.pk]).values_list("id", "last_seq")) == {c1.pk: 3, c2.pk: 2}
    # Each sender has read everything up to their own last message, the others nothing new.
    assert marks(c1) == {bob.pk: 3, alice.pk: 2}
    assert marks(c2) == {carol.pk: 1, alice.pk: 2}

    # Every participant's events, in the batch's order, numbered 1..n in their own stream,
    # each with the counts as they stood right after that message.
    def view(user):
        return [(e.seq, e.data["message"]["body"], e.data["conversation"]["last_seq"], e.data["unread"],
                 e.data["unread_total"]) for e in captured.of(user.pk, "message.created")]

    assert view(alice) == [(1, "b1", 1, 1, 1), (2, "a1", 2, 0, 0), (3, "c1", 1, 1, 1), (4, "b2", 3, 1, 2), (5, "a2", 2, 0, 1)]
    # The buyers' streams begin with their conversation.started (bob: c1 and c3; carol: c2).
    assert view(bob) == [(3, "b1", 1, 0, 0), (4, "a1", 2, 1, 1), (5, "b2", 3, 0, 0)]
    assert view(carol) == [(2, "c1", 1, 0, 0), (3, "a2", 2, 1, 1)]
    # One commit for the whole batch: one call of the sinks.
    assert len(captured.dispatches) == 1
    # What the sinks saw is what was stored.
    for user in (alice, bob, carol):
        assert [(e.seq, e.type, e.data) for e in captured.of(user.pk)] == [
            e for e in stream_of(user) if e[1] != "conversation.started"]
    # The counts in the last events are the ones the selectors compute from the rows.
    assert selectors.unread_totals_for(user_ids=[alice.pk, bob.pk, carol.pk]) == {alice.pk: 1, bob.pk: 0, carol.pk: 1}
    # Each request carries its sender's own event (the ack's), the one stored for the sender.
    for r in out:
        assert r.own_event.user_id == r.sender.pk
        assert r.own_event.data["message"] == r.message_data
        assert r.own_event.data["message"]["id"] == r.result.pk
        assert StreamEvent.objects.get(user=r.sender, seq=r.own_event.seq).payload == r.own_event.data
    assert_gap_free(alice, bob, carol)


def test_a_batch_continues_where_the_streams_and_conversations_stand(world):
    alice, bob, _carol, dave, c1, _c2, c3 = world
    f.send(c1, alice, "before")
    f.send(c3, dave, "before too")
    with capture_events(expected=4) as captured:
        out = send_batch([req(bob, c3, "x"), req(bob, c1, "y")])
    assert [(r.result.conversation_id, r.result.seq) for r in out] == [(c3.pk, 2), (c1.pk, 2)]
    assert captured.summary() == [(bob.pk, 5, "message.created"), (dave.pk, 2, "message.created"),
                                  (bob.pk, 6, "message.created"), (alice.pk, 2, "message.created")]
    # bob read both conversations by answering in them.
    assert [e.data["unread_total"] for e in captured.of(bob.pk)] == [1, 0]
    assert marks(c1)[bob.pk] == 2 and marks(c3)[bob.pk] == 2


# --- a double click inside one batch ---------------------------------------------------------


def test_a_double_click_inside_one_batch_is_one_message(world):
    alice, bob, _carol, _dave, c1, _c2, _c3 = world
    cmid = uuid.uuid4()
    with capture_events(expected=2) as captured:
        first, second = send_batch([req(bob, c1, "once", cmid), req(bob, c1, "once", str(cmid))])
    assert (first.error, second.error) == (None, None)
    assert (first.created, second.created) == (True, False)
    assert second.result.pk == first.result.pk
    assert Message.objects.filter(sender=bob, client_msg_id=cmid).count() == 1
    assert [e.user_id for e in captured.events] == [bob.pk, alice.pk]
    assert Conversation.objects.get(pk=c1.pk).last_seq == 1


def test_a_double_click_after_an_invalid_first_try_sends_the_second(world):
    """A failed attempt is not remembered as done, inside a batch either."""
    _alice, bob, _carol, _dave, c1, _c2, _c3 = world
    cmid = uuid.uuid4()
    with capture_events(expected=2):
        first, second = send_batch([req(bob, c1, "   ", cmid), req(bob, c1, "with text", cmid)])
    assert isinstance(first.error, Invalid) and first.error.details["field"] == "body"
    assert (second.error, second.created, second.result.body) == (None, True, "with text")


def test_one_client_msg_id_in_two_conversations_of_one_batch_conflicts(world):
    """Inside a batch as one after the other: the second conversation's send is a conflict,
    never answered with a message of the first conversation."""
    _alice, bob, _carol, _dave, c1, _c2, c3 = world
    cmid = uuid.uuid4()
    with capture_events(expected=2):
        first, second = send_batch([req(bob, c1, "here", cmid), req(bob, c3, "there", cmid)])
    assert (first.error, first.created) == (None, True)
    assert isinstance(second.error, Conflict), (second.error, second.result)
    assert second.result is None
    assert Message.objects.filter(conversation=c3).count() == 0


# --- mixed errors ------------------------------------------------------------------------------


def test_mixed_errors_in_one_batch_and_the_valid_ones_commit(world):
    alice, bob, carol, dave, c1, c2, c3 = world
    used = uuid.uuid4()
    f.send(c1, bob, "stored", used)
    batch = [
        req(bob, c1, "valid one"),
        req(carol, c1, "not hers"),                 # not a participant
        req(bob, 10**9, "nowhere"),                 # no such conversation
        req(bob, "abc", "garbage id"),              # not even an id
        req(bob, c1, ""),                           # empty body
        req(bob, c1, "bad\x00body"),                # control character
        req(bob, c1, "bad uuid", "not-a-uuid"),     # client_msg_id is not a UUID
        req(bob, c3, "reused", used),               # client_msg_id already used in c1
        req(alice, c2, "valid two"),
    ]
    with capture_events(expected=4) as captured:
        out = send_batch(batch)
    errors = [(r.error.code, r.error.details.get("field")) if r.error else None for r in out]
    assert errors == [
        None,
        ("not_found", None), ("not_found", None), ("not_found", None),
        ("invalid", "body"), ("invalid", "body"), ("invalid", "client_msg_id"),
        ("conflict", "client_msg_id"),
        None,
    ]
    assert isinstance(out[1].error, NotFound) and isinstance(out[7].error, Conflict)
    # Missing and not-yours are the same error: nothing leaks about which ids exist.
    assert out[1].error.as_dict() == out[2].error.as_dict()
    assert all(r.result is None for r in out if r.error)
    assert [(r.result.conversation_id, r.result.seq, r.created) for r in (out[0], out[8])] == [(c1.pk, 2, True), (c2.pk, 1, True)]
    assert {e.data["message"]["body"] for e in captured.events} == {"valid one", "valid two"}
    assert not StreamEvent.objects.filter(user__in=[dave]).exists()
    assert Message.objects.filter(conversation=c3).count() == 0
    assert dict(Conversation.objects.values_list("id", "last_seq")) == {c1.pk: 2, c2.pk: 1, c3.pk: 0}
    assert_gap_free(alice, bob, carol, dave)


def test_a_batch_of_only_errors_writes_nothing(world):
    alice, bob, carol, _dave, c1, _c2, _c3 = world
    with capture_events(expected=0) as captured:
        out = send_batch([req(carol, c1), req(bob, c1, " \t "), req(bob, c1, "x", 42)])
    assert [r.error.code for r in out] == ["not_found", "invalid", "invalid"]
    assert captured.dispatches == []
    assert (Message.objects.count(), StreamEvent.objects.exclude(type="conversation.started").count()) == (0, 0)


# --- retries inside a batch -----------------------------------------------------------------


def test_retries_of_stored_messages_inside_a_batch(world):
    alice, bob, _carol, dave, c1, _c2, c3 = world
    a = f.send(c1, bob, "original a")
    b = f.send(c3, dave, "original b")
    with capture_events(expected=4) as captured:
        out = send_batch([
            req(bob, c1, "retry of a, other text", str(a.client_msg_id)),
            req(alice, c1, "new in c1"),
            req(dave, c3, "retry of b", b.client_msg_id),
            req(bob, c3, "new in c3"),
        ])
    assert [(r.error, r.created) for r in out] == [(None, False), (None, True), (None, False), (None, True)]
    assert (out[0].result.pk, out[0].result.body) == (a.pk, "original a")
    assert (out[2].result.pk, out[2].result.body) == (b.pk, "original b")
    assert out[0].own_event is None and out[2].own_event is None, "a retry's event was delivered with the original"
    assert [(r.result.conversation_id, r.result.seq) for r in (out[1], out[3])] == [(c1.pk, 2), (c3.pk, 2)]
    assert {e.data["message"]["body"] for e in captured.events} == {"new in c1", "new in c3"}
    assert Message.objects.count() == 4
    assert dict(Conversation.objects.filter(pk__in=[c1.pk, c3.pk]).values_list("id", "last_seq")) == {c1.pk: 2, c3.pk: 2}
    assert_gap_free(alice, bob, dave)


def test_a_batch_of_only_retries_appends_nothing(world):
    _alice, bob, _carol, _dave, c1, _c2, _c3 = world
    sent = [f.send(c1, bob, f"m{i}") for i in range(3)]
    before = StreamEvent.objects.count()
    with capture_events(expected=0):
        out = send_batch([req(bob, c1, "again", m.client_msg_id) for m in reversed(sent)])
    assert [(r.result.pk, r.created) for r in out] == [(m.pk, False) for m in reversed(sent)]
    assert StreamEvent.objects.count() == before


# --- the rate limit inside a batch ----------------------------------------------------------


def test_the_rate_limit_inside_a_batch(world, settings, rate_clock):
    alice, bob, _carol, _dave, c1, _c2, _c3 = world
    settings.PARLEY_SEND_RATE = "3/60"
    batch = [req(bob, c1, f"b{i}") for i in range(5)]
    batch.insert(2, req(alice, c1, "alice is not bob"))
    with capture_events(expected=8):
        out = send_batch(batch)
    verdicts = [r.error.code if r.error else "ok" for r in out]
    assert verdicts == ["ok", "ok", "ok", "ok", "rate_limited", "rate_limited"]
    for refused in out[4:]:
        assert isinstance(refused.error, RateLimited) and refused.error.status == 429
        assert refused.error.details["retry_after"] == 60, "0.5 s into a 60 s window"
        assert "60" in str(refused.error.message)
        assert refused.result is None
    assert [m.body for m in Message.objects.order_by("seq")] == ["b0", "b1", "alice is not bob", "b2"]
    # The next window lets bob send again; nothing waited on the wall clock.
    rate_clock.advance(59)
    (still,) = send_batch([req(bob, c1, "still limited")])
    assert still.error.code == "rate_limited" and still.error.details["retry_after"] == 1
    rate_clock.advance(1)
    (again,) = send_batch([req(bob, c1, "next window")])
    assert (again.error, again.created, again.result.seq) == (None, True, 5)


def test_a_retry_inside_a_batch_is_answered_at_the_rate_limit(world, settings):
    _alice, bob, _carol, _dave, c1, _c2, _c3 = world
    settings.PARLEY_SEND_RATE = "3/60"
    stored = f.send(c1, bob, "stored")
    out = send_batch([req(bob, c1, "n1"), req(bob, c1, "n2"), req(bob, c1, "n3"), req(bob, c1, "retry", stored.client_msg_id)])
    assert [r.error.code if r.error else r.created for r in out] == [True, True, "rate_limited", False]
    assert out[3].result.pk == stored.pk


# --- the conversation cache -------------------------------------------------------------------


def test_the_conversation_cache_expires_on_its_clock(world, django_assert_num_queries):
    alice, bob, carol, _dave, c1, _c2, _c3 = world
    clock = ManualClock(1000.0)
    cache = ConversationCache(ttl=60, clock=clock, spread=lambda: 0.0)  # each entry lives the whole ttl
    with django_assert_num_queries(1):
        (first,) = conversations_for([(bob, c1.pk)], cache=cache)
    assert first.pk == c1.pk
    c1.listing.title = "Renamed bicycle"
    c1.listing.save()
    clock.advance(59.9)
    with django_assert_num_queries(0):
        (cached, outsider) = conversations_for([(alice, c1.pk), (carol, c1.pk)], cache=cache)
    assert cached is first and cached.listing.title != "Renamed bicycle"
    assert isinstance(outsider, NotFound), "the cache never widens access"
    clock.advance(0.1)
    with django_assert_num_queries(1):
        (fresh,) = conversations_for([(bob, c1.pk)], cache=cache)
    assert fresh is not first and fresh.listing.title == "Renamed bicycle"


def test_conversations_cached_together_expire_spread_over_the_second_half_of_the_ttl():
    """After a restart every conversation is loaded within seconds: they must not all expire
    (and be loaded again, a burst that stalls the sends) in one second. Never older than ttl."""
    clock = ManualClock(0.0)
    cache = ConversationCache(ttl=60, clock=clock)
    ids = range(1, 401)
    cache.put_many({cid: object() for cid in ids})
    alive = []
    for at in (29.9, 40, 50, 55, 60):
        clock.now = at
        alive.append(len(cache.get_many(ids)))
    assert alive[0] == 400, "none before ttl / 2"
    assert 400 > alive[1] > alive[2] > alive[3] > 0, alive  # leaving gradually, not at once
    assert 100 < alive[2] < 300, alive  # about half left at three quarters of the ttl
    assert alive[4] == 0, "none outlives the ttl"


def test_send_batch_uses_the_cache_until_it_expires(world):
    """The listing card in the events may be up to ttl old, never older."""
    alice, bob, _carol, _dave, c1, _c2, _c3 = world
    clock = ManualClock(0.0)
    cache = ConversationCache(ttl=60, clock=clock, spread=lambda: 0.0)
    send_batch([req(bob, c1, "warm the cache")], cache=cache)
    c1.listing.title = "Price dropped"
    c1.listing.save()

    def card_title():
        with capture_events(expected=2) as captured:
            (r,) = send_batch([req(alice, c1, "hi")], cache=cache)
        assert r.error is None
        return {e.data["conversation"]["listing"]["title"] for e in captured.events}

    clock.advance(30)
    assert card_title() != {"Price dropped"}
    clock.advance(30)
    assert card_title() == {"Price dropped"}

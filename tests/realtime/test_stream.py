"""Per-user durable streams: gap-free seqs, reading back since a cursor, publish after commit."""

import pytest
from django.db import transaction
from pydantic import ConfigDict

from parley.stream import schemas
from parley.stream.models import StreamEvent, UserStream
from parley.stream.read import stream_cursor_for, stream_since
from parley.stream.append import stream_append
from tests import factories as f
from tests.support.events import capture_events


class AnyPayload(schemas.Payload):
    model_config = ConfigDict(extra="allow")


@pytest.fixture(autouse=True)
def test_event_types(monkeypatch):
    """The made-up event types these tests append, registered only while they run."""
    for name in ("t", "t.a", "t.b", "t.c", "t.one", "t.two", "t.three"):
        monkeypatch.setitem(schemas._schemas, name, AnyPayload)


def test_append_numbers_each_users_events_without_gaps(db):
    alice, bob = f.user(), f.user()
    first = stream_append([(alice.pk, "t.a", {"n": 1}), (bob.pk, "t.a", {"n": 1}), (alice.pk, "t.b", {"n": 2})])
    assert [(e.user_id, e.seq, e.type) for e in first] == [(alice.pk, 1, "t.a"), (bob.pk, 1, "t.a"), (alice.pk, 2, "t.b")]
    second = stream_append([(bob.pk, "t.c", {"n": 3})])
    assert [(e.user_id, e.seq) for e in second] == [(bob.pk, 2)]
    assert list(StreamEvent.objects.filter(user=alice).order_by("seq").values_list("seq", "type", "payload")) == [
        (1, "t.a", {"n": 1}),
        (2, "t.b", {"n": 2}),
    ]
    assert stream_cursor_for(user=alice) == 2 and stream_cursor_for(user=bob) == 2
    assert stream_cursor_for(user=f.user()) == 0


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused():
    alice = f.user()
    with pytest.raises(RuntimeError, match="inside the writing transaction"):
        stream_append([(alice.pk, "t", {})])
    assert StreamEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_publish_happens_after_commit_and_never_on_rollback(published):
    """The doorbell sink publishes each committed event's frame to its user, once."""
    alice, bob = f.user(), f.user()
    with transaction.atomic():
        stream_append([(alice.pk, "t.one", {"x": 1}), (bob.pk, "t.one", {"x": 1})])
        assert published == []
    assert published == [
        (alice.pk, {"type": "event", "seq": 1, "event": "t.one", "data": {"x": 1}}),
        (bob.pk, {"type": "event", "seq": 1, "event": "t.one", "data": {"x": 1}}),
    ]
    published.clear()
    with capture_events(expected=1) as captured:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                stream_append([(alice.pk, "t.two", {})])
                raise RuntimeError("roll back")
        assert published == [] and captured.events == []
        assert UserStream.objects.get(user=alice).last_seq == 1, "a rolled-back append leaves no gap"
        with transaction.atomic():
            (event,) = stream_append([(alice.pk, "t.three", {})])
    assert event.seq == 2
    assert captured.summary() == [(alice.pk, 2, "t.three")]


def test_stream_since_returns_events_in_order(db):
    alice = f.user()
    stream_append([(alice.pk, "t", {"i": i}) for i in range(1, 8)])
    events, head, resync = stream_since(user=alice, since=0)
    assert ([e.seq for e in events], head, resync) == (list(range(1, 8)), 7, False)
    assert [e.data["i"] for e in events] == list(range(1, 8))
    events, head, resync = stream_since(user=alice, since=4)
    assert [e.seq for e in events] == [5, 6, 7] and resync is False
    events, head, resync = stream_since(user=alice, since=2, limit=2)
    assert [e.seq for e in events] == [3, 4] and head == 7
    events, head, resync = stream_since(user=alice, since=7)
    assert (events, head, resync) == ([], 7, False)
    assert events == [] and resync is False
    assert events[-1:] == []


def test_stream_since_is_per_user(db):
    alice, bob = f.user(), f.user()
    stream_append([(alice.pk, "t", {"who": "alice"}), (bob.pk, "t", {"who": "bob"})])
    events, _, _ = stream_since(user=bob, since=0)
    assert [e.data for e in events] == [{"who": "bob"}]


@pytest.mark.parametrize("since", [8, 100, -1])
def test_cursor_beyond_head_or_negative_requires_resync(db, since):
    alice = f.user()
    stream_append([(alice.pk, "t", {}) for _ in range(7)])
    assert stream_since(user=alice, since=since) == ([], 7, True)


def test_cursor_behind_retention_requires_resync(db):
    alice = f.user()
    stream_append([(alice.pk, "t", {}) for _ in range(10)])
    StreamEvent.objects.filter(user=alice, seq__lte=4).delete()
    UserStream.objects.filter(user=alice).update(pruned_through=4)
    assert stream_since(user=alice, since=3) == ([], 10, True)
    events, head, resync = stream_since(user=alice, since=4)
    assert ([e.seq for e in events], head, resync) == ([5, 6, 7, 8, 9, 10], 10, False)


def test_new_user_has_an_empty_stream(db):
    user = f.user()
    assert stream_since(user=user, since=0) == ([], 0, False)
    assert stream_since(user=user, since=1) == ([], 0, True)

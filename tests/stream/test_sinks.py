"""After-commit sinks: every sink sees each committed transaction's events once, in order;
a failing sink is logged and blocks neither the commit nor the other sinks."""

import logging

import pytest
from django.db import transaction
from pydantic import ConfigDict

from parley.stream import schemas
from parley.stream.append import stream_append
from parley.stream.models import StreamEvent, UserStream
from parley.stream.sinks import register_sink, unregister_sink
from tests import factories as f
from tests.support.events import capture_events


class AnyPayload(schemas.Payload):
    model_config = ConfigDict(extra="allow")


@pytest.fixture(autouse=True)
def test_event_types(monkeypatch):
    """The made-up event types these tests append, registered only while they run."""
    for name in ("t.one", "t.two", "t.gone", "t.x", "t.y"):
        monkeypatch.setitem(schemas._schemas, name, AnyPayload)


@pytest.fixture
def sink():
    """Register test sinks by name; unregister them after the test."""
    names = []

    def add(name, fn):
        names.append(name)
        register_sink(name, fn)

    yield add
    for name in names:
        unregister_sink(name)


@pytest.mark.django_db(transaction=True)
def test_sinks_run_after_commit_in_order_and_never_on_rollback(sink):
    alice, bob = f.user(), f.user()
    seen = []
    sink("test-first", lambda events: seen.append(("first", [(e.user_id, e.seq) for e in events])))
    with capture_events(expected=3) as captured:
        with transaction.atomic():
            stream_append([(alice.pk, "t.one", {}), (bob.pk, "t.one", {})])
            stream_append([(alice.pk, "t.two", {})])
            assert seen == [] and captured.events == [], "nothing before the commit"
        assert seen == [("first", [(alice.pk, 1), (bob.pk, 1)]), ("first", [(alice.pk, 2)])]
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                stream_append([(alice.pk, "t.gone", {})])
                raise RuntimeError("roll back")
    assert len(seen) == 2, "a rolled-back transaction reaches no sink"
    assert captured.summary() == [(alice.pk, 1, "t.one"), (bob.pk, 1, "t.one"), (alice.pk, 2, "t.two")]
    assert [len(d) for d in captured.dispatches] == [2, 1], "one call per stream_append"


@pytest.mark.django_db(transaction=True)
def test_a_failing_sink_is_logged_and_blocks_nothing(sink, caplog, published):
    alice = f.user()
    after = []

    def broken(events):
        raise ValueError("webhook endpoint down")

    sink("test-broken", broken)
    sink("test-after", lambda events: after.extend(events))
    with caplog.at_level(logging.ERROR, logger="parley.stream"):
        with capture_events(expected=1):
            with transaction.atomic():
                (event,) = stream_append([(alice.pk, "t.x", {"n": 1})])
    assert StreamEvent.objects.filter(user=alice, seq=1).exists(), "committed"
    assert UserStream.objects.get(user=alice).last_seq == 1
    assert after == [event], "the sinks after it still ran"
    assert [(uid, fr["seq"]) for uid, fr in published] == [(alice.pk, 1)], "the doorbell (before it) rang"
    (record,) = [r for r in caplog.records if "test-broken" in r.getMessage()]
    assert record.exc_info and record.exc_info[0] is ValueError
    # The next commit goes through the same way: the sink stays registered, and still fails alone.
    with transaction.atomic():
        stream_append([(alice.pk, "t.y", {})])
    assert len(after) == 2 and UserStream.objects.get(user=alice).last_seq == 2


def test_capture_events_counts_exactly(db):
    """The capture itself fails when the count differs (it asserts what it is told)."""
    _alice, bob, _carol, conv = f.trio()
    with pytest.raises(AssertionError, match="expected 3 committed events, got 2"):
        with capture_events(expected=3):
            f.send(conv, bob, "two events, not three")
    with capture_events(expected=0):
        pass

"""A counted capture of committed stream events, as Zulip's `capture_send_event_calls`.

    with capture_events(expected=2) as captured:
        factories.send(conv, bob, "hi")
    assert [e.user_id for e in captured.events] == [bob.pk, alice.pk]

It registers a stream sink (parley.stream.sinks) for the duration of the block, so it sees
exactly what every sink sees: the events of committed transactions, after commit, in order.
Inside a test that runs in a transaction (`db`), nothing commits for real, so the block also
captures the on_commit callbacks registered in it and runs them when it ends, as a commit
would; a rolled-back atomic block inside it registers none. In `transaction=True` tests,
commits are real, in any thread (the send batcher's writer thread included).

On exit it asserts the number of events, when `expected` is given; `dispatches` keeps one
list per sink call, that is one per committed transaction that appended events.
"""

import threading
from contextlib import contextmanager
from itertools import count

from django.db import DEFAULT_DB_ALIAS, connections
from django.test import TestCase

from parley.stream.sinks import register_sink, unregister_sink

_names = count(1)


class CapturedEvents:
    def __init__(self):
        self.dispatches: list[list] = []
        self._lock = threading.Lock()

    def __call__(self, events) -> None:  # the sink
        with self._lock:
            self.dispatches.append(list(events))

    @property
    def events(self) -> list:
        with self._lock:
            return [e for batch in self.dispatches for e in batch]

    def of(self, user_id: int, type: str | None = None) -> list:
        """This user's captured events (of one type), in order."""
        return [e for e in self.events if e.user_id == user_id and (type is None or e.type == type)]

    def summary(self) -> list[tuple[int, int, str]]:
        """(user_id, seq, type) of every captured event, in order."""
        return [(e.user_id, e.seq, e.type) for e in self.events]


@contextmanager
def capture_events(expected: int | None = None):
    """Capture the committed events of the block; with `expected`, assert their number."""
    captured, name = CapturedEvents(), f"test-capture-{next(_names)}"
    register_sink(name, captured)
    try:
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            # The test's own transaction never commits: run what the block registered on
            # commit when it ends, as Django's TestCase.captureOnCommitCallbacks does.
            with TestCase.captureOnCommitCallbacks(execute=True):
                yield captured
        else:
            yield captured
    finally:
        unregister_sink(name)
    if expected is not None:
        got = captured.summary()
        assert len(got) == expected, f"expected {expected} committed events, got {len(got)}: {got}"


def every_payload(*users) -> str:
    """Every event stored for these users, as one JSON text: for asserting a text is gone."""
    import json

    from parley.stream.read import stream_since

    return json.dumps([e.as_dict() for u in users for e in stream_since(user=u, since=0, limit=500)[0]])

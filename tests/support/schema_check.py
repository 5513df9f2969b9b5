"""Every event the suite commits, and every frame its socket clients receive, match their schemas.

The server never validates what it sends (events stay plain dicts on the hot path); the
suite does, as Zulip's test_events checks every event against its event_schema.

- A stream sink, registered for the whole session (before any test), checks each committed
  event's payload against the schema its type registered (parley.stream.schemas): an
  unknown type or a payload the schema does not describe exactly is a failure. Events
  appended inside a test transaction that is rolled back (the `db` fixture) never reach a
  sink, so the same check also runs when events are appended.
- An autouse fixture fails the test during which such an event was committed (an error at
  its teardown, naming the event); `pytest_sessionfinish` fails the run for any committed
  outside a test (a background thread after its test ended).
- `check_frame` checks a server-to-client frame, and the events it carries, and records a
  failure the same way; the socket test clients call it on every frame they read, so what
  the subprocess servers send is covered too.
"""

import os
import threading

import orjson
import pytest
from pydantic import ValidationError

SINK = "tests.schema_check"

_failures: list[str] = []  # since the current test started
_orphans: list[str] = []  # committed between tests
_lock = threading.Lock()


def event_problem(type_name: str, data_json: str | bytes) -> str | None:
    """Say what is wrong with an event's wire payload, or return None when it matches its schema."""
    from parley.stream.schemas import schema_for

    model = schema_for(type_name)
    if model is None:
        return f"event type {type_name!r} has no schema: register one with parley.stream.schemas.event_schema()"
    try:
        parsed = model.model_validate_json(data_json, strict=True)
    except ValidationError as exc:
        return f"{type_name} does not match {model.__name__}: {exc}"
    sent = orjson.loads(data_json)
    again = parsed.model_dump(mode="json", exclude_unset=True)
    if again != sent:
        return f"{type_name}: {model.__name__} does not describe the payload as sent: sent {sent}, schema gives {again}"
    return None


def frame_problem(frame: dict) -> str | None:
    """Say what is wrong with a server-to-client frame (and the events in it), or return None."""
    from parley.core.frames import frames

    models = frames.server_schemas_for(frame.get("type"))
    if not models:
        return f"server frame type {frame.get('type')!r} has no schema: declare it with frames.server_frame() or reply="
    raw, errors = orjson.dumps(frame), []
    for model in models:
        try:
            model.model_validate_json(raw, strict=True)
            break
        except ValidationError as exc:
            errors.append(f"{model.__name__}: {exc}")
    else:
        return f"frame {frame!r} matches none of its schemas: " + "; ".join(errors)
    for item in _carried_events(frame):
        problem = event_problem(item["event"], orjson.dumps(item["data"]))
        if problem:
            return f"in a {frame['type']!r} frame: {problem}"
    return None


def _carried_events(frame: dict) -> list[dict]:
    if frame["type"] == "event":
        return [frame]
    if frame["type"] == "sync":
        return frame["events"]
    return [frame["event"]] if frame.get("event") else []


def check_frame(frame: dict) -> dict:
    """Record a received frame that does not match its schema (the test then fails); return it.

    Recorded rather than raised, so a reader task cannot swallow it.
    """
    problem = frame_problem(frame)
    if problem:
        with _lock:
            _failures.append(f"{_current_test()}: received {problem}")
    return frame


def _current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "outside any test").rsplit(" (", 1)[0]


def _check_events(events) -> None:
    """Record every event that does not match its schema, with the test it came from."""
    where = _current_test()
    for event in events:
        try:
            problem = event_problem(event.type, event.data_json())
        except Exception as exc:  # a sink's exception would only be logged: record it instead
            problem = f"the check itself failed: {exc!r}"
        if problem:
            with _lock:
                _failures.append(f"{where}: user {event.user_id} seq {event.seq}: {problem}")


def _take_failures() -> list[str]:
    with _lock:
        taken = list(dict.fromkeys(_failures))  # an event is checked when appended and when committed
        _failures.clear()
    return taken


@pytest.fixture(scope="session", autouse=True)
def _schema_check_sink():
    """Check every event of the session: committed (the sink), or appended in a test's
    transaction that is rolled back (most `db` tests), which no sink ever sees."""
    from parley.stream import append
    from parley.stream.sinks import register_sink, unregister_sink

    insert = append._insert_statement  # every appended event's row is built here

    def checked_insert(events):
        _check_events(events)
        return insert(events)

    register_sink(SINK, _check_events)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(append, "_insert_statement", checked_insert)
        yield
    unregister_sink(SINK)


@pytest.fixture(autouse=True)
def _committed_events_match_their_schemas(_schema_check_sink):
    _orphans.extend(_take_failures())  # committed between tests: reported at session end
    yield
    failures = _take_failures()
    if failures:
        pytest.fail("events or frames that do not match their schemas:\n" + "\n".join(failures), pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    failures = _orphans + _take_failures()
    if failures:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["parley: events or frames outside a test that do not match their schemas:", *failures]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

"""The schema registries: one payload schema per event type, one schema per server frame."""

import uuid

import orjson
import pytest
from pydantic import TypeAdapter, ValidationError

from parley.conversations import events
from parley.core.frames import frames
from parley.stream import schemas, sinks
from parley.stream.schemas import Payload, all_event_types, event_schema, schema_for, stream_event_union, validate_event
from tests.support.schema_check import SINK, event_problem, frame_problem

MESSAGE = {"id": 1, "conversation_id": 2, "seq": 3, "sender_id": 4, "body": "hi",
           "client_msg_id": str(uuid.uuid4()), "created_at": "2026-11-28T16:01:37.596775Z"}


def test_the_conversation_events_are_registered():
    assert {events.MESSAGE_CREATED, events.CONVERSATION_READ} <= set(all_event_types())
    assert schema_for(events.MESSAGE_CREATED).__name__ == "MessageCreated"
    assert schema_for("no.such.event") is None


def test_the_mute_events_are_registered_with_their_payloads():
    """parley.notifications: a mute set or lifted reaches every tab of the user (docs/protocol.md)."""
    assert {"conversation.muted", "conversation.unmuted"} <= set(all_event_types())
    validate_event("conversation.muted", b'{"conversation_id": 3, "until": "2026-12-04T18:40:00Z"}')
    validate_event("conversation.muted", b'{"conversation_id": 3, "until": null}')
    validate_event("conversation.unmuted", b'{"conversation_id": 3}')
    with pytest.raises(ValidationError):
        validate_event("conversation.muted", b'{"conversation_id": 3}')


def test_a_second_schema_for_a_type_is_refused(monkeypatch):
    monkeypatch.setattr(schemas, "_schemas", dict(schemas._schemas))

    class Other(Payload):
        x: int

    event_schema("test.other", Other)
    event_schema("test.other", Other)  # the same model again is fine (a module imported twice)

    class Clash(Payload):
        y: int

    with pytest.raises(ValueError, match="prefix yours"):
        event_schema("test.other", Clash)


def test_validate_event_refuses_unknown_types_and_wrong_payloads():
    with pytest.raises(LookupError, match="event_schema"):
        validate_event("no.such.event", b"{}")
    with pytest.raises(ValidationError):
        validate_event(events.CONVERSATION_READ, b'{"conversation_id": 1, "user_id": 2, "seq": "3"}')
    validate_event(events.CONVERSATION_READ, b'{"conversation_id": 1, "user_id": 2, "seq": 3}')


def test_event_problem_says_what_is_wrong():
    read = {"conversation_id": 1, "user_id": 2, "seq": 3}
    assert event_problem(events.CONVERSATION_READ, orjson.dumps(read)) is None
    assert event_problem(events.CONVERSATION_READ, orjson.dumps({**read, "unread": 0, "unread_total": 5})) is None
    assert "has no schema" in event_problem("no.such.event", b"{}")
    assert "extra" in event_problem(events.CONVERSATION_READ, orjson.dumps({**read, "surprise": 1})).lower()
    assert "missing" in event_problem(events.CONVERSATION_READ, orjson.dumps({"conversation_id": 1})).lower()
    # the other side's copy leaves the counts out; null would be another shape
    assert "does not match" in event_problem(events.CONVERSATION_READ, orjson.dumps({**read, "unread": None, "unread_total": None}))


def test_the_stream_item_union_is_discriminated_by_event():
    adapter = TypeAdapter(stream_event_union())
    item = adapter.validate_python({"seq": 1, "event": events.CONVERSATION_READ, "data": {"conversation_id": 1, "user_id": 2, "seq": 3}})
    assert type(item).__name__ == "ConversationReadEvent"
    with pytest.raises(ValidationError):
        adapter.validate_python({"seq": 1, "event": "no.such.event", "data": {}})
    assert stream_event_union() is stream_event_union()  # built once per set of types


def test_every_frame_declares_its_reply_and_every_server_frame_has_a_schema():
    assert all(f.reply is not None for f in frames.all()), [f.type for f in frames.all() if f.reply is None]
    assert set(frames.server_types()) >= {"ack", "error", "event", "pong", "ready", "resync_required", "signal", "sync", "sync_hint"}
    # send's, read's, block's and unblock's (one schema), report's, edit's and delete's (one schema), typing's,
    # archive's and unarchive's (one schema); parley.deals': offer_make's and offer_respond's (one),
    # listing_update's, the meet-up frames' (one); parley.notifications' visibility's
    assert len(frames.server_schemas_for("ack")) == 12


def test_frame_problem_checks_frames_and_the_events_they_carry():
    good = {"seq": 7, "event": events.CONVERSATION_READ, "data": {"conversation_id": 1, "user_id": 2, "seq": 3}}
    assert frame_problem({"type": "event", **good}) is None
    assert frame_problem({"type": "sync", "id": 3, "since": 0, "events": [good], "cursor": 7, "head": 7}) is None
    assert frame_problem({"type": "signal", "signal": "typing", "data": {"conversation_id": 1}}) is None
    assert frame_problem({"type": "ack", "id": 1, "conversation_id": 1, "last_read_seq": 2}) is None
    assert frame_problem({"type": "ack", "client_msg_id": MESSAGE["client_msg_id"], "created": False, "message": MESSAGE}) is None
    assert "no schema" in frame_problem({"type": "mystery"})
    assert "matches none" in frame_problem({"type": "ack", "conversation_id": 1})
    bad_event = {**good, "data": {"conversation_id": "1"}}
    assert "in a 'sync' frame" in frame_problem({"type": "sync", "since": 0, "events": [bad_event], "cursor": 7, "head": 7})


def test_the_suite_checks_every_committed_event():
    assert SINK in sinks._sinks

"""message_hide: both participants hear `message.hidden`, once, and the text never leaves the
server again: not in message_dict, the page, the API's history, the inbox or sync."""

import json

import pytest
from django.test import Client

from parley.conversations import selectors
from parley.conversations.models import Message
from parley.conversations.serializers import inbox_row, message_dict
from parley.conversations.services import message_hide
from parley.core.errors import Forbidden
from parley.stream.read import stream_since
from tests import factories as f
from tests.support.events import capture_events

pytestmark = pytest.mark.usefixtures("no_rate_limit")

SECRET = "call me on 06 12 34 56 78, pay by wire"


@pytest.fixture
def hidden(db):
    """alice, bob, the conversation and bob's message, hidden by a moderator."""
    alice, bob, _carol, conv = f.trio()
    f.send(conv, alice, "before")
    message = f.send(conv, bob, SECRET)
    moderator = f.user("mod", is_staff=True)
    with capture_events(expected=2) as captured:
        assert message_hide(message=message, moderator=moderator) is True
    return alice, bob, conv, message, moderator, captured


def test_both_participants_get_message_hidden_in_one_commit(hidden):
    alice, bob, conv, message, _moderator, captured = hidden
    data = {"conversation_id": conv.pk, "message_id": message.pk, "seq": message.seq}
    assert [(e.user_id, e.type, e.data) for e in captured.events] == [
        (bob.pk, "message.hidden", data), (alice.pk, "message.hidden", data),
    ] or [(e.user_id, e.type, e.data) for e in captured.events] == [
        (alice.pk, "message.hidden", data), (bob.pk, "message.hidden", data),
    ]
    assert len(captured.dispatches) == 1
    assert Message.objects.get(pk=message.pk).hidden_at is not None


def test_hiding_twice_does_nothing_more(hidden):
    _alice, _bob, _conv, message, moderator, _captured = hidden
    first = Message.objects.get(pk=message.pk).hidden_at
    with capture_events(expected=0):
        assert message_hide(message=Message.objects.get(pk=message.pk), moderator=moderator) is False
    assert Message.objects.get(pk=message.pk).hidden_at == first


def test_only_staff_can_hide(db):
    alice, bob, _carol, conv = f.trio()
    message = f.send(conv, bob, "hi")
    with capture_events(expected=0), pytest.raises(Forbidden):
        message_hide(message=message, moderator=alice)
    assert Message.objects.get(pk=message.pk).hidden_at is None


def test_the_text_is_gone_from_message_dict_and_the_inbox(hidden):
    alice, _bob, _conv, message, _moderator, _captured = hidden
    data = message_dict(Message.objects.get(pk=message.pk))
    assert (data["body"], data["removed"]) == ("", "moderation")
    assert data["seq"] == message.seq and data["id"] == message.pk
    rows = [inbox_row(p) for p in selectors.inbox_for(user=alice)]
    assert rows[0]["last_message"]["removed"] == "moderation"
    assert SECRET not in json.dumps(rows)
    assert "removed" not in message_dict(Message.objects.exclude(pk=message.pk).get()), "absent for a message that is there"


def test_the_text_is_gone_from_sync_the_api_and_the_pages(hidden):
    alice, bob, conv, _message, _moderator, _captured = hidden
    for user in (alice, bob):
        events, _head, _resync = stream_since(user=user, since=0)
        created = [e.data["message"] for e in events if e.type == "message.created"]
        assert created and SECRET not in json.dumps([e.data for e in events])
        assert [m.get("removed") for m in created] == [None, "moderation"]
    api = Client()
    api.force_login(alice)
    history = api.get(f"/api/v1/conversations/{conv.pk}/messages").json()["messages"]
    assert [(m["body"], m.get("removed")) for m in history] == [("before", None), ("", "moderation")]
    inbox = api.get("/api/v1/conversations").json()["conversations"]
    assert inbox[0]["last_message"]["removed"] == "moderation"
    for path in (f"/messages/{conv.pk}/", "/messages/"):
        page = api.get(path).content.decode()
        assert SECRET not in page and '"removed": "moderation"' in page
    events = api.get("/api/v1/events", {"since": 0}).json()["events"]  # async: last, it closes the test's connection
    assert [e["event"] for e in events] == ["message.created", "message.created", "message.hidden"] and SECRET not in json.dumps(events)

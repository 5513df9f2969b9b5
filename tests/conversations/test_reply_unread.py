"""Reply and Mark as unread (issue 11, items 6 and 8): a reply quotes a message of its own
conversation (one query for a batch's quotes, never a removed text); "Mark as unread" moves
the user's own read mark back and tells only their own stream."""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parley.conversations import selectors
from parley.conversations.models import Message, Participant
from parley.conversations.services import (
    SendRequest, conversation_mark_read, conversation_mark_unread, message_delete, message_edit, message_hide,
    message_send, send_batch,
)
from parley.core.errors import NotFound
from tests import factories as f
from tests.support.events import capture_events, every_payload

pytestmark = pytest.mark.usefixtures("no_rate_limit")


@pytest.fixture
def chat(db):
    alice, bob, carol, conv = f.trio()
    first = f.send(conv, bob, "Is it still for sale at 300?")
    return alice, bob, carol, conv, first
def test_a_reply_carries_the_quote_for_both(chat):
    alice, bob, _carol, conv, first = chat
    with capture_events(expected=2) as captured:
        reply, created = message_send(sender=alice, conversation=conv, body="Yes!", client_msg_id=uuid.uuid4(),
                                      reply_to_id=first.pk)
    assert created and reply.reply_to_id == first.pk
    quote = {"id": first.pk, "seq": first.seq, "sender_id": bob.pk, "body": "Is it still for sale at 300?"}
    assert all(e.data["message"]["reply_to"] == quote for e in captured.events)
    page = f.client_for(bob).get(f"/api/v1/conversations/{conv.pk}/messages").json()["messages"]
    assert page[-1]["reply_to"] == quote and "reply_to" not in page[0]
    # A retry with the same client_msg_id returns the original, quote included.
    again, created = message_send(sender=alice, conversation=conv, body="Yes!", client_msg_id=reply.client_msg_id,
                                  reply_to_id=first.pk)
    assert not created and again.pk == reply.pk


def test_a_long_quote_is_cut(chat):
    alice, bob, _carol, conv, _first = chat
    long = f.send(conv, bob, "word " * 100)
    reply, _ = message_send(sender=alice, conversation=conv, body="ok", client_msg_id=uuid.uuid4(), reply_to_id=long.pk)
    body = f.client_for(alice).get(f"/api/v1/conversations/{conv.pk}/messages").json()["messages"][-1]["reply_to"]["body"]
    assert len(body) <= 140 and body.endswith("\u2026")


def test_a_reply_only_quotes_its_own_conversation_and_saves_nothing_otherwise(chat):
    alice, bob, carol, conv, first = chat
    elsewhere = f.conversation(buyer=carol, seller=alice)
    theirs = f.send(elsewhere, carol, "secret of another conversation")
    before = Message.objects.count()
    for bad in (theirs.pk, 10**9):
        with capture_events(expected=0), pytest.raises(NotFound) as raised:
            message_send(sender=bob, conversation=conv, body="hi", client_msg_id=uuid.uuid4(), reply_to_id=bad)
        assert raised.value.details == {"field": "reply_to_id"}
    assert Message.objects.count() == before
    r = f.client_for(bob).post(f"/api/v1/conversations/{conv.pk}/messages",
                      {"body": "x", "client_msg_id": str(uuid.uuid4()), "reply_to_id": theirs.pk},
                      content_type="application/json")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    r = f.client_for(bob).post(f"/api/v1/conversations/{conv.pk}/messages",
                      {"body": "x", "client_msg_id": str(uuid.uuid4()), "reply_to_id": "nope"},
                      content_type="application/json")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid")
    r = f.client_for(bob).post(f"/api/v1/conversations/{conv.pk}/messages",
                      {"body": "x", "client_msg_id": str(uuid.uuid4()), "reply_to_id": first.pk},
                      content_type="application/json")
    assert r.status_code == 201 and r.json()["message"]["reply_to"]["id"] == first.pk
    assert Message.objects.count() == before + 1


def test_a_quote_of_a_deleted_or_hidden_message_never_shows_its_text(chat, django_user_model):
    alice, bob, _carol, conv, first = chat
    reply = f.send(conv, alice, "plain")
    reply, _ = message_send(sender=alice, conversation=conv, body="Yes!", client_msg_id=uuid.uuid4(), reply_to_id=first.pk)
    message_delete(user=bob, message=first)
    assert "at 300" not in every_payload(alice, bob)  # the stored events were rewritten
    page = f.client_for(alice).get(f"/api/v1/conversations/{conv.pk}/messages").json()["messages"]
    assert page[-1]["reply_to"] == {"id": first.pk, "seq": first.seq, "sender_id": bob.pk, "body": "",
                                    "removed": "sender"}
    # A reply to an already removed message carries no text either.
    later = f.send(conv, bob, "call me on 0612345678")
    staff = django_user_model.objects.create_user("mod", is_staff=True)
    message_hide(message=Message.objects.select_related("conversation").get(pk=later.pk), moderator=staff)
    again, _ = message_send(sender=alice, conversation=conv, body="?", client_msg_id=uuid.uuid4(), reply_to_id=later.pk)
    assert "0612345678" not in every_payload(alice, bob)
    assert f.client_for(bob).get(f"/api/v1/conversations/{conv.pk}/messages").json()["messages"][-1]["reply_to"]["removed"] == "moderation"


def test_an_edit_of_the_quoted_message_shows_on_the_next_load(chat):
    alice, bob, _carol, conv, first = chat
    message_send(sender=alice, conversation=conv, body="Yes!", client_msg_id=uuid.uuid4(), reply_to_id=first.pk)
    message_edit(user=bob, message=first, body="Still for sale at 280?", revision=0)
    page = f.client_for(alice).get(f"/api/v1/conversations/{conv.pk}/messages").json()["messages"]
    assert page[-1]["reply_to"]["body"] == "Still for sale at 280?"
    assert "at 300" not in every_payload(alice, bob)


def test_a_batch_of_replies_costs_one_query_more_than_a_batch_without(chat):
    alice, bob, _carol, conv, first = chat
    others = [f.send(conv, bob, f"m{i}") for i in range(3)]

    def batch(quotes):
        return [SendRequest(alice, conv.pk, f"r{i}", uuid.uuid4(), q) for i, q in enumerate(quotes)]

    with CaptureQueriesContext(connection) as plain:
        send_batch(batch([None] * 4))
    with CaptureQueriesContext(connection) as quoting:
        done = send_batch(batch([first.pk, *(m.pk for m in others)]))
    assert all(r.error is None for r in done)
    assert len(quoting.captured_queries) == len(plain.captured_queries) + 1
    assert [r.result.reply_to_id for r in done] == [first.pk, *(m.pk for m in others)]


def test_mark_unread_moves_the_own_mark_back_and_tells_only_the_own_stream(chat):
    alice, bob, _carol, conv, first = chat
    f.send(conv, bob, "second")
    f.send(conv, alice, "my answer")  # sending reads everything before: alice has 0 unread
    assert selectors.unread_total_for(user=alice) == 0
    with capture_events(expected=1) as captured:
        mark = conversation_mark_unread(user=alice, conversation=conv)
    assert mark == 1  # just before bob's last message (seq 2)
    (event,) = captured.events
    assert (event.user_id, event.type) == (alice.pk, "conversation.unread")
    assert event.data == {"conversation_id": conv.pk, "last_read_seq": 1, "unread": 2, "unread_total": 2,
                          "inbox_moves": {"unread": 1}}
    assert selectors.unread_total_for(user=alice) == 2
    assert Participant.objects.get(conversation=conv, user=bob).last_read_seq == 2  # bob's mark untouched
    # Again: already unread, nothing to do. Reading marks it read as usual.
    with capture_events(expected=0):
        assert conversation_mark_unread(user=alice, conversation=conv) == 1
    conversation_mark_read(user=alice, conversation=conv)
    assert selectors.unread_total_for(user=alice) == 0


def test_mark_unread_without_a_message_from_the_other_does_nothing(db):
    alice, bob, _carol, conv = f.trio()
    f.send(conv, bob, "only mine")
    with capture_events(expected=0):
        assert conversation_mark_unread(user=bob, conversation=conv) == 1


def test_mark_unread_over_the_api_and_strangers_get_404(chat):
    alice, _bob, carol, conv, _first = chat
    r = f.client_for(alice).post(f"/api/v1/conversations/{conv.pk}/unread")
    assert r.status_code == 200 and r.json() == {"conversation_id": conv.pk, "last_read_seq": 0, "unread": 1, "unread_total": 1}
    r = f.client_for(carol).post(f"/api/v1/conversations/{conv.pk}/unread")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    frame = {"type": "unread", "id": 1, "conversation_id": conv.pk}
    r = f.client_for(carol).post("/api/v1/frames", json.dumps(frame), content_type="application/json")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    r = f.client_for(alice).post("/api/v1/frames", json.dumps(frame), content_type="application/json")
    assert r.status_code == 200 and r.json()["last_read_seq"] == 0


def test_deleting_an_account_deletes_its_conversations_replies_included(chat):
    alice, bob, _carol, conv, first = chat
    message_send(sender=alice, conversation=conv, body="Yes!", client_msg_id=uuid.uuid4(), reply_to_id=first.pk)
    message_send(sender=bob, conversation=conv, body="And?", client_msg_id=uuid.uuid4(), reply_to_id=first.pk)
    bob.delete()  # the conversation goes with him, and every message of it
    assert not Message.objects.filter(conversation_id=conv.pk).exists()

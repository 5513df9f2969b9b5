"""Edit and delete (issue 11, items 4 and 5): the sender's own message, within 15 minutes;
stale edits conflict, retries are idempotent, both sides hear it, and earlier or deleted texts
never leave the server again (page JSON, API, inbox, sync) though moderators keep them."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from parley.conversations import selectors
from parley.conversations.models import Message, MessageVersion
from parley.conversations.serializers import inbox_row, message_dict
from parley.conversations.services import deleted_purge, message_delete, message_edit
from parley.core.errors import Conflict, Forbidden, Invalid
from tests import factories as f
from tests.support.events import capture_events, every_payload

pytestmark = pytest.mark.usefixtures("no_rate_limit")


@pytest.fixture
def chat(db):
    alice, bob, carol, conv = f.trio()
    message = f.send(conv, bob, "Is it still for sale at 300?")
    return alice, bob, carol, conv, message
def test_an_edit_replaces_the_text_for_both_and_keeps_the_old_one_for_moderators(chat):
    alice, bob, _carol, conv, message = chat
    with capture_events(expected=2) as captured:
        edited = message_edit(user=bob, message=message, body="Is it still for sale at 280?", revision=0)
    assert (edited.body, edited.revision) == ("Is it still for sale at 280?", 1)
    assert {e.user_id for e in captured.events} == {alice.pk, bob.pk}
    assert {e.type for e in captured.events} == {"message.edited"}
    wire = captured.events[0].data["message"]
    assert wire["body"] == "Is it still for sale at 280?" and wire["revision"] == 1 and wire["edited_at"].endswith("Z")
    assert list(MessageVersion.objects.values_list("revision", "body")) == [(0, "Is it still for sale at 300?")]
    # Nothing a user reads shows the earlier text: not sync, not the history.
    assert "at 300" not in every_payload(alice, bob)
    history = f.client_for(alice).get(f"/api/v1/conversations/{conv.pk}/messages").json()["messages"]
    assert history[-1]["body"] == "Is it still for sale at 280?" and history[-1]["revision"] == 1


def test_a_retry_is_idempotent_and_a_stale_edit_conflicts_and_saves_nothing(chat):
    _alice, bob, _carol, _conv, message = chat
    message_edit(user=bob, message=message, body="second", revision=0)
    with capture_events(expected=0):
        again = message_edit(user=bob, message=message, body="second", revision=0)  # the same edit, retried
    assert again.revision == 1
    with pytest.raises(Conflict) as stale:
        message_edit(user=bob, message=message, body="third from an old tab", revision=0)
    assert stale.value.details["revision"] == 1
    assert Message.objects.get(pk=message.pk).body == "second"


def test_only_the_sender_within_the_window_with_a_valid_body(chat, settings):
    alice, bob, _carol, _conv, message = chat
    with pytest.raises(Forbidden) as theirs:
        message_edit(user=alice, message=message, body="mine now", revision=0)
    assert theirs.value.code == "not_your_message"
    with pytest.raises(Forbidden):
        message_delete(user=alice, message=message)
    with pytest.raises(Invalid):
        message_edit(user=bob, message=message, body="   ", revision=0)
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    message.refresh_from_db()
    with pytest.raises(Forbidden) as late:
        message_edit(user=bob, message=message, body="too late", revision=0)
    assert late.value.code == "edit_window_closed" and "15 minutes" in str(late.value.message)
    with pytest.raises(Forbidden):
        message_delete(user=bob, message=message)
    assert Message.objects.get(pk=message.pk).body == "Is it still for sale at 300?"


def test_a_delete_takes_the_text_off_every_wire_and_is_idempotent(chat):
    alice, bob, _carol, conv, message = chat
    message_edit(user=bob, message=message, body="call me on 06 12 34 56 78", revision=0)
    with capture_events(expected=2) as captured:
        assert message_delete(user=bob, message=message) is True
    assert captured.events[0].type == "message.deleted"
    assert captured.events[0].data == {"conversation_id": conv.pk, "message_id": message.pk, "seq": message.seq}
    with capture_events(expected=0):
        assert message_delete(user=bob, message=message) is False
    stored = Message.objects.get(pk=message.pk)
    assert stored.body == "call me on 06 12 34 56 78", "kept for moderators"
    assert message_dict(stored)["body"] == "" and message_dict(stored)["removed"] == "sender"
    for secret in ("06 12 34", "sale at 300"):
        assert secret not in every_payload(alice, bob)
        assert secret not in f.client_for(alice).get(f"/api/v1/conversations/{conv.pk}/messages").content.decode()
        assert secret not in f.client_for(alice).get(f"/messages/{conv.pk}/").content.decode()
    rows, _ = selectors.inbox_page(user=alice, before=None, limit=10)
    assert inbox_row(rows[0])["last_message"]["removed"] == "sender"
    with pytest.raises(Conflict):
        message_edit(user=bob, message=message, body="undelete?", revision=1)


def test_the_purge_blanks_texts_deleted_30_days_ago(chat):
    _alice, bob, _carol, conv, message = chat
    message_edit(user=bob, message=message, body="v2", revision=0)
    message_delete(user=bob, message=message)
    recent = f.send(conv, bob, "deleted today")
    message_delete(user=bob, message=recent)
    Message.objects.filter(pk=message.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    assert deleted_purge(older_than=timezone.now() - timedelta(days=30)) == 1
    assert Message.objects.get(pk=message.pk).body == "" and not MessageVersion.objects.filter(message=message).exists()
    assert Message.objects.get(pk=recent.pk).body == "deleted today"


def test_the_api_edits_and_deletes_and_strangers_get_404(chat):
    alice, bob, carol, conv, message = chat
    url = f"/api/v1/conversations/{conv.pk}/messages/{message.pk}"
    r = f.client_for(bob).patch(url, json.dumps({"body": "via the API", "revision": 0}), content_type="application/json")
    assert r.status_code == 200 and r.json()["message"]["revision"] == 1, r.content
    stale = f.client_for(bob).patch(url, json.dumps({"body": "stale", "revision": 0}), content_type="application/json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    theirs = f.client_for(alice).delete(url)
    assert theirs.status_code == 403 and theirs.json()["error"]["code"] == "not_your_message"
    stranger = f.client_for(carol).delete(url)
    missing = f.client_for(carol).delete(f"/api/v1/conversations/{conv.pk}/messages/999999")
    assert stranger.status_code == missing.status_code == 404
    other_conv = f.conversation(buyer=carol, seller=alice)
    wrong_place = f.client_for(bob).delete(f"/api/v1/conversations/{other_conv.pk}/messages/{message.pk}")
    assert wrong_place.status_code == 404
    gone = f.client_for(bob).delete(url)
    assert gone.status_code == 200 and gone.json()["message"]["removed"] == "sender"
    assert f.client_for(bob).delete(url).status_code == 200, "a retry"


def test_the_frames_work_over_http_too(chat):
    _alice, bob, _carol, conv, message = chat
    client = f.client_for(bob)

    def frame(payload):
        return client.post("/api/v1/frames", json.dumps(payload), content_type="application/json")

    r = frame({"type": "edit", "conversation_id": conv.pk, "message_id": message.pk, "body": "edited", "revision": 0})
    assert r.status_code == 200 and r.json()["message"]["body"] == "edited", r.content
    r = frame({"type": "delete", "conversation_id": conv.pk, "message_id": message.pk})
    assert r.status_code == 200 and r.json()["message"]["removed"] == "sender"
    r = frame({"type": "delete", "conversation_id": conv.pk, "message_id": "1"})
    assert r.status_code == 422


def test_the_purge_command_blanks_old_deleted_texts(chat):
    from io import StringIO

    from django.core.management import call_command

    _alice, bob, _carol, _conv, message = chat
    message_delete(user=bob, message=message)
    Message.objects.filter(pk=message.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    out = StringIO()
    call_command("parley_purge_deleted", stdout=out)
    assert "Purged the text of 1 messages" in out.getvalue()
    assert Message.objects.get(pk=message.pk).body == ""

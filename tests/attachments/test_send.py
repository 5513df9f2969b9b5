"""Sending files: the send names uploads by id, both sides' events carry them, one access check
serves them, and the retention purge takes them away."""

import io
import uuid
from datetime import timedelta

import pytest
from django.test import Client, TestCase
from django.utils import timezone

from parley.attachments.models import Attachment
from parley.conversations import services
from parley.conversations.models import Message
from tests import factories
from tests.support.events import capture_events

from . import files
from .conftest import stored_files
from .test_upload import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(no_rate_limit):
    alice, bob, carol, conv = factories.trio()
    return alice, bob, carol, conv


def _send(client, conv, ids, body="", cmid=None, *, capture=True):
    if capture:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return _send(client, conv, ids, body, cmid, capture=False)
    return client.post(f"/api/v1/conversations/{conv.pk}/messages",
                           {"body": body, "client_msg_id": str(cmid or uuid.uuid4()), "attachment_ids": ids},
                           content_type="application/json")


def test_photos_sent_without_a_caption_reach_both_sides(people):
    alice, bob, carol, conv = people
    client = factories.client_for(bob)
    ids = [upload(client, files.jpeg(), f"p{i}.jpg").json()["attachment"]["id"] for i in range(2)]
    with capture_events(expected=2) as events:
        response = _send(client, conv, ids, capture=False)
    assert response.status_code == 201, response.content
    message = response.json()["message"]
    assert message["body"] == "" and [a["id"] for a in message["attachments"]] == ids
    assert {e.user_id for e in events.events} == {alice.pk, bob.pk}
    for event in events.events:
        attachments = event.data["message"]["attachments"]
        assert [a["id"] for a in attachments] == ids and attachments[0]["thumb_url"].endswith("/thumb")
    assert set(Attachment.objects.values_list("message_id", flat=True)) == {message["id"]}
    # The other side reads them; a stranger gets the same 404 as for a file that does not exist.
    seller = factories.client_for(alice)
    assert seller.get(message["attachments"][0]["thumb_url"]).status_code == 200
    stranger = factories.client_for(carol)
    missing = stranger.get(f"/api/v1/attachments/{uuid.uuid4()}/thumb")
    for variant in ("url", "thumb_url", "large_url"):
        response = stranger.get(message["attachments"][0][variant])
        assert response.status_code == 404 and response.json() == missing.json()
    assert Client().get(message["attachments"][0]["url"]).status_code == 401
    # History pages carry them too, with no query per message.
    page = seller.get(f"/api/v1/conversations/{conv.pk}/messages").json()
    assert [a["id"] for a in page["messages"][-1]["attachments"]] == ids


def test_an_unsent_upload_is_its_uploaders_only(people):
    alice, bob, carol, conv = people
    data = upload(factories.client_for(bob), files.jpeg(), "p.jpg").json()["attachment"]
    assert factories.client_for(bob).get(data["url"]).status_code == 200
    assert factories.client_for(alice).get(data["url"]).status_code == 404  # not sent yet


def test_a_retry_returns_the_original_and_a_reused_file_is_refused(people):
    alice, bob, carol, conv = people
    client = factories.client_for(bob)
    ids = [upload(client, files.jpeg(), "p.jpg").json()["attachment"]["id"]]
    cmid = uuid.uuid4()
    first = _send(client, conv, ids, body="the scratch", cmid=cmid)
    again = _send(client, conv, ids, body="the scratch", cmid=cmid)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    reused = _send(client, conv, ids, body="again")
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "attachment_sent"
    assert Message.objects.count() == 1


def test_someone_elses_upload_cannot_be_sent(people):
    alice, bob, carol, conv = people
    theirs = upload(factories.client_for(carol), files.jpeg(), "p.jpg").json()["attachment"]["id"]
    response = _send(factories.client_for(bob), conv, [theirs])
    assert response.status_code == 404 and response.json()["error"]["details"]["field"] == "attachment_ids"
    assert Message.objects.count() == 0


def test_at_most_ten_files_per_message(people):
    alice, bob, carol, conv = people
    response = _send(factories.client_for(bob), conv, [str(uuid.uuid4()) for _ in range(11)])
    assert response.status_code == 422
    assert Message.objects.count() == 0


def test_an_empty_message_without_files_is_still_refused(people):
    alice, bob, carol, conv = people
    response = _send(factories.client_for(bob), conv, [])
    assert response.status_code == 422 and response.json()["error"]["details"]["field"] == "body"


def test_a_deleted_message_takes_its_files_off_the_wire_and_the_purge_off_the_disk(people, attachment_storage):
    alice, bob, carol, conv = people
    client = factories.client_for(bob)
    ids = [upload(client, files.jpeg(), "p.jpg").json()["attachment"]["id"],
           upload(client, files.pdf(), "d.pdf").json()["attachment"]["id"]]
    message = _send(client, conv, ids, body="see").json()["message"]
    url = message["attachments"][0]["url"]
    stored = Message.objects.get(pk=message["id"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.message_delete(user=bob, message=stored)
    assert factories.client_for(alice).get(url).status_code == 404  # a reused URL: the same 404
    assert "attachments" not in factories.client_for(alice).get(
        f"/api/v1/conversations/{conv.pk}/messages").json()["messages"][-1]
    assert len(stored_files(attachment_storage)) == 4  # kept for the moderators until the purge
    Message.objects.filter(pk=stored.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.deleted_purge(older_than=timezone.now() - timedelta(days=30))
    assert Attachment.objects.count() == 0 and stored_files(attachment_storage) == []
    assert Message.objects.get(pk=stored.pk).attachments == ""


def test_unsent_uploads_are_deleted_after_a_day(people, attachment_storage):
    from parley.attachments.services import attachments_purge_unsent

    alice, bob, carol, conv = people
    client = factories.client_for(bob)
    sent = upload(client, files.jpeg(), "sent.jpg").json()["attachment"]["id"]
    _send(client, conv, [sent])
    upload(client, files.jpeg(), "never.jpg")
    Attachment.objects.update(created_at=timezone.now() - timedelta(hours=25))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert attachments_purge_unsent(older_than=timezone.now() - timedelta(hours=24)) == 1
    assert list(Attachment.objects.values_list("pk", flat=True)) == [uuid.UUID(sent)]
    assert len(stored_files(attachment_storage)) == 3


def test_a_hidden_message_hides_its_files(people):
    alice, bob, carol, conv = people
    client = factories.client_for(bob)
    ids = [upload(client, files.jpeg(), "p.jpg").json()["attachment"]["id"]]
    message = _send(client, conv, ids).json()["message"]
    Message.objects.filter(pk=message["id"]).update(hidden_at=timezone.now())
    assert factories.client_for(alice).get(message["attachments"][0]["url"]).status_code == 404



def test_the_housekeeping_command_deletes_unsent_uploads(people, attachment_storage):
    from django.core.management import call_command

    alice, bob, carol, conv = people
    upload(factories.client_for(bob), files.jpeg(), "never.jpg")
    Attachment.objects.update(created_at=timezone.now() - timedelta(hours=25))
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("parley_purge_uploads", stdout=out)
    assert out.getvalue().startswith("Deleted 1 uploads")
    assert stored_files(attachment_storage) == []


def test_hidden_and_deleted_messages_leave_no_file_in_the_stored_events(people):
    """`sync` replays stored events: a removed message's files must not come back through them."""
    from parley.conversations.services import message_hide
    from tests.support.events import every_payload

    alice, bob, carol, conv = people
    client = factories.client_for(bob)
    hidden, deleted = (
        _send(client, conv, [upload(client, files.jpeg(), f"{n}.jpg").json()["attachment"]["id"]], body=n).json()["message"]
        for n in ("hide-me", "delete-me"))
    staff = factories.user("mod", is_staff=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        message_hide(message=Message.objects.get(pk=hidden["id"]), moderator=staff)
        services.message_delete(user=bob, message=Message.objects.get(pk=deleted["id"]))
    stored = every_payload(alice, bob)
    for message in (hidden, deleted):
        assert message["attachments"][0]["id"] not in stored

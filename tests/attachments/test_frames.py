"""The `send` frame with files, through POST /api/v1/frames (the socket's dispatcher, its batcher)."""

import uuid

import pytest

from tests import factories

from . import files
from .test_upload import upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_broker", "fresh_batchers")]


def test_the_send_frame_carries_attachment_ids(no_rate_limit):
    alice, bob, carol, conv = factories.trio()
    client = factories.client_for(bob)
    ids = [upload(client, files.webm(4), "voice.webm", "audio/webm", voice="true").json()["attachment"]["id"]]
    frame = {"type": "send", "conversation_id": conv.pk, "body": "", "client_msg_id": str(uuid.uuid4()), "attachment_ids": ids}
    reply = client.post("/api/v1/frames", frame, content_type="application/json").json()
    attachment = reply["message"]["attachments"][0]
    assert reply["type"] == "ack" and attachment["kind"] == "voice" and attachment["duration_ms"] == 4000
    assert reply["event"]["data"]["message"]["attachments"] == [attachment]
    again = client.post("/api/v1/frames", frame, content_type="application/json").json()
    assert again["created"] is False and again["message"]["id"] == reply["message"]["id"]
    too_many = {**frame, "client_msg_id": str(uuid.uuid4()), "attachment_ids": [str(uuid.uuid4()) for _ in range(11)]}
    error = client.post("/api/v1/frames", too_many, content_type="application/json").json()
    assert error["error"]["code"] == "invalid" and error["error"]["details"]["field"] == "attachment_ids"

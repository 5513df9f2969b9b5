"""Safety tips on the send path: flags stored, carried by the events, the API and the page."""

import json
import uuid

import pytest

from parley.conversations import policy
from parley.conversations.models import Message
from parley.conversations.services import SendRequest, send_batch
from parley.safety import risk
from tests import factories as f
from tests.support.events import capture_events

pytestmark = pytest.mark.usefixtures("no_rate_limit")

RISKY = "Contact me on WhatsApp +33 6 12 34 56 78"

def test_the_safety_app_registers_its_flagger():
    assert risk.flag_bodies in policy._flaggers


def test_a_phone_number_is_flagged_everywhere_and_a_plain_message_nowhere(db):
    alice, bob, _carol, conv = f.trio()  # bob buys from alice
    with capture_events(expected=4) as captured:
        r = f.client_for(bob).post(f"/api/v1/conversations/{conv.pk}/messages",
                              json.dumps({"body": RISKY, "client_msg_id": str(uuid.uuid4())}), content_type="application/json")
        plain = f.send(conv, bob, "Is it still available?")
    assert r.status_code == 201, r.content
    assert r.json()["message"]["flags"] == ["phone", "off_platform"]
    risky = Message.objects.get(body=RISKY)
    assert risky.flags == "phone,off_platform" and Message.objects.get(pk=plain.pk).flags == ""
    # Both participants' events carry the same flags (the client shows the tip to the recipient only).
    by_body = {}
    for event in captured.events:
        by_body.setdefault(event.data["message"]["body"], []).append(event.data["message"])
    assert [m["flags"] for m in by_body[RISKY]] == [["phone", "off_platform"]] * 2
    assert all("flags" not in m for m in by_body["Is it still available?"])
    # History: the API page and the conversation page.
    page = f.client_for(alice).get(f"/api/v1/conversations/{conv.pk}/messages").json()["messages"]
    assert page[0]["flags"] == ["phone", "off_platform"] and "flags" not in page[1]  # absent, never null
    inbox = f.client_for(alice).get("/api/v1/conversations").json()["conversations"]
    assert "flags" not in inbox[0]["last_message"]
    data = f.client_for(alice).get(f"/messages/{conv.pk}/").context["page_data"]["messages"]
    assert data[0]["flags"] == ["phone", "off_platform"] and "flags" not in data[1]


def test_a_batch_flags_each_message_on_its_own(db):
    alice, bob, _carol, conv = f.trio()
    bodies = ["hello", "iban FR76 3000 6000 0112 3456 7890 189", "mail me: bob@gmail.com", "ok"]
    batch = [SendRequest(s, conv.pk, b, uuid.uuid4()) for s, b in zip([bob, alice, bob, alice], bodies)]
    send_batch(batch)
    assert list(Message.objects.order_by("seq").values_list("flags", flat=True)) == ["", "iban", "email", ""]


def test_switched_off_nothing_is_flagged(db, settings):
    settings.PARLEY_SAFETY_TIPS = False
    _alice, bob, _carol, conv = f.trio()
    f.send(conv, bob, RISKY)
    assert Message.objects.get().flags == ""


def test_an_edit_is_checked_like_a_send(db, no_rate_limit):
    """An innocent message edited to carry a phone number gets its tip; edited back, loses it."""
    from parley.conversations.serializers import message_dict
    from parley.conversations.services import message_edit

    alice, bob, _carol, conv = f.trio()
    message = f.send(conv, bob, "Is it still available?")
    assert "flags" not in message_dict(message)
    edited = message_edit(user=bob, message=message, body="Call me on +33 6 12 34 56 78", revision=0)
    assert "phone" in message_dict(edited)["flags"]
    back = message_edit(user=bob, message=edited, body="Is it still available?", revision=1)
    assert "flags" not in message_dict(back)

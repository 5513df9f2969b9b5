"""Privacy (conversations/privacy.py): read receipts and presence, per user and per conversation.

The reads, the services, the settings page's section, the conversation menu's overrides, and
what the page and the API tell the other side: nothing of a hidden read mark."""

import json
import re

import pytest
from django.test import Client

from parley.conversations import services
from parley.conversations.models import Participant, PrivacySetting
from parley.conversations.privacy import presence_visible_to, privacy_here, read_receipts_on
from tests import factories as f
from tests.support.events import capture_events

pytestmark = pytest.mark.django_db

def override(user, conv, **values):
    fields = {"show_online": None, "read_receipts": None, **values}
    services.privacy_set_override(user=user, conversation=conv, **fields)


def read_events(conv, reader):
    with capture_events() as captured:
        services.conversation_mark_read(user=reader, conversation=conv)
    return [(e.user_id, e.type) for e in captured.events if e.type == "conversation.read"]


def test_both_on_by_default_and_the_read_reaches_both():
    alice, bob, _carol, conv = f.trio()
    f.send(conv, alice, "hi")
    assert read_receipts_on(conversation_id=conv.pk) is True
    assert read_events(conv, bob) == [(bob.pk, "conversation.read"), (alice.pk, "conversation.read")]


def test_receipts_off_are_reciprocal_the_reader_keeps_their_own_copy():
    alice, bob, _carol, conv = f.trio()
    services.privacy_set_defaults(user=alice, show_online=True, read_receipts=False)
    f.send(conv, bob, "hi")
    assert read_events(conv, alice) == [(alice.pk, "conversation.read")]  # bob is not told alice read
    f.send(conv, alice, "hello")
    f.send(conv, alice, "again")
    assert read_events(conv, bob) == [(bob.pk, "conversation.read")]  # and alice does not see bob's reads


def test_a_conversation_override_beats_the_default_both_ways():
    alice, bob, carol, conv = f.trio()
    other = f.conversation(buyer=carol, seller=alice)
    services.privacy_set_defaults(user=alice, show_online=True, read_receipts=False)
    override(alice, conv, read_receipts=True)
    assert read_receipts_on(conversation_id=conv.pk) is True
    assert read_receipts_on(conversation_id=other.pk) is False
    services.privacy_set_defaults(user=alice, show_online=True, read_receipts=True)
    override(alice, other, read_receipts=False)
    assert read_receipts_on(conversation_id=other.pk) is False
    assert read_receipts_on(conversation_id=conv.pk) is True
    override(alice, other)  # back to the default
    assert read_receipts_on(conversation_id=other.pk) is True
    assert privacy_here(user_id=alice.pk, conversation_id=other.pk)["overridden"] is False


def test_presence_hidden_when_any_shared_conversation_says_so():
    alice, bob, carol, conv = f.trio()
    f.conversation(buyer=carol, seller=alice)
    assert presence_visible_to(alice.pk, [bob.pk, carol.pk]) == {bob.pk, carol.pk}
    override(alice, conv, show_online=False)
    assert presence_visible_to(alice.pk, [bob.pk, carol.pk]) == {carol.pk}
    second = f.conversation(buyer=bob, seller=alice)  # another listing: still hidden from bob (hiding wins)
    assert presence_visible_to(alice.pk, [bob.pk]) == set()
    services.privacy_set_defaults(user=alice, show_online=False, read_receipts=True)
    assert presence_visible_to(alice.pk, [bob.pk, carol.pk]) == set()
    override(alice, conv, show_online=True)
    override(alice, second, show_online=True)
    assert presence_visible_to(alice.pk, [bob.pk, carol.pk]) == {bob.pk}  # the override beats the default


def page_data(html: str) -> dict:
    match = re.search(r'<script[^>]*id="page-data"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_the_page_and_the_api_hide_the_other_read_mark():
    alice, bob, _carol, conv = f.trio()
    f.send(conv, bob, "hi")
    services.conversation_mark_read(user=alice, conversation=conv)
    got = f.client_for(bob).get(f"/api/v1/conversations/{conv.pk}").json()["conversation"]
    assert (got["other_read_seq"], got["read_receipts"]) == (1, True)
    services.privacy_set_defaults(user=alice, show_online=True, read_receipts=False)
    for user in (bob, alice):
        got = f.client_for(user).get(f"/api/v1/conversations/{conv.pk}").json()["conversation"]
        assert (got["other_read_seq"], got["read_receipts"]) == (0, False), user
        assert got["last_read_seq"] == (1 if user == alice else 1)
        page = f.client_for(user).get(f"/messages/{conv.pk}/")
        info = page.context["page_data"]["conversation"]
        assert (info["other_read_seq"], info["read_receipts"]) == (0, False)
    # Back on: the current mark shows (how far, not when), no event for the reads made meanwhile.
    services.privacy_set_defaults(user=alice, show_online=True, read_receipts=True)
    got = f.client_for(bob).get(f"/api/v1/conversations/{conv.pk}").json()["conversation"]
    assert (got["other_read_seq"], got["read_receipts"]) == (1, True)


def test_settings_section_saves_with_csrf_and_a_flash():
    alice, _bob, _carol, _conv = f.trio()
    text = f.client_for(alice).get("/settings/").content.decode()
    assert 'id="settings-privacy"' in text and "Show when I'm online" in text and "Send read receipts" in text
    assert text.count("checked") >= 2
    strict = f.client_for(alice, enforce_csrf_checks=True)
    assert strict.post("/messages/privacy/", {"read_receipts": "on"}).status_code == 403
    assert not PrivacySetting.objects.exists()
    strict.get("/settings/")
    token = strict.cookies["csrftoken"].value
    r = strict.post("/messages/privacy/", {"read_receipts": "on", "csrfmiddlewaretoken": token}, follow=True)
    assert r.redirect_chain[-1][0] == "/settings/"
    assert "Your privacy settings are saved." in r.content.decode()
    assert PrivacySetting.objects.filter(user=alice).values("show_online", "read_receipts").get() == {
        "show_online": False, "read_receipts": True}
    assert Client().post("/messages/privacy/", {}).status_code == 302  # to log in
    assert f.client_for(alice).get("/messages/privacy/").status_code == 405


def test_settings_in_french():
    alice, _bob, _carol, _conv = f.trio()
    text = f.client_for(alice, HTTP_ACCEPT_LANGUAGE="fr").get("/settings/").content.decode()
    assert "Confidentialité" in text and "Montrer quand je suis en ligne" in text
    assert "Envoyer les confirmations de lecture" in text


def test_the_menu_overrides_one_conversation_and_404_for_a_stranger():
    alice, bob, carol, conv = f.trio()
    page = f.client_for(alice).get(f"/messages/{conv.pk}/").content.decode()
    assert "Hide my online status here" in page and "Turn off read receipts here" in page
    assert "Use my usual privacy settings here" not in page
    r = f.client_for(alice).post(f"/messages/{conv.pk}/privacy/", {"read_receipts": "off"}, follow=True)
    assert r.redirect_chain[-1][0] == f"/messages/{conv.pk}/"
    text = r.content.decode()
    assert "Your privacy in this conversation is saved." in text
    assert "Turn on read receipts here" in text and "Use my usual privacy settings here" in text
    row = Participant.objects.get(conversation=conv, user=alice)
    assert (row.show_online, row.read_receipts) == (None, False)
    f.client_for(alice).post(f"/messages/{conv.pk}/privacy/", {"show_online": "off"})
    row.refresh_from_db()
    assert (row.show_online, row.read_receipts) == (False, False)  # the other override is kept
    f.client_for(alice).post(f"/messages/{conv.pk}/privacy/", {"show_online": "default", "read_receipts": "default"})
    row.refresh_from_db()
    assert (row.show_online, row.read_receipts) == (None, None)
    assert f.client_for(carol).post(f"/messages/{conv.pk}/privacy/", {"read_receipts": "off"}).status_code == 404
    assert f.client_for(carol).post("/messages/999999/privacy/", {"read_receipts": "off"}).status_code == 404
    strict = f.client_for(alice, enforce_csrf_checks=True)
    assert strict.post(f"/messages/{conv.pk}/privacy/", {"read_receipts": "off"}).status_code == 403

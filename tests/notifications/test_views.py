"""Sign-up asks for an address; /settings/ changes it through a signed link; channels, quiet
hours and the conversation's mute; strangers get 404."""

import re

import pytest
from django.contrib.auth import get_user_model

from parley.notifications.models import Mute, NotificationSettings
from parley.notifications.services.address import address_for
from parley.notifications.tokens import confirm_token
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def link_in(mail) -> str:
    text = mail.get_body(("plain",)).get_content()
    return re.search(r"https://parley\.test(/notifications/confirm/[^/\s]+/)", text).group(1)


def test_sign_up_asks_for_an_address_and_mails_a_confirmation_link(smtp, client):
    client.get("/accounts/signup/")
    r = client.post("/accounts/signup/", {"username": "dana", "email": "dana@Example.COM",
                                          "password1": "a long and unusual passphrase 42",
                                          "password2": "a long and unusual passphrase 42"})
    assert r.status_code == 302
    dana = get_user_model().objects.get(username="dana")
    assert dana.email == "dana@example.com"
    row = NotificationSettings.objects.get(user=dana)
    assert address_for(dana, row) is None  # nothing is mailed before the link is opened
    assert len(smtp.messages) == 1 and str(smtp.messages[0]["To"]).strip() == "dana@example.com"
    url = link_in(smtp.messages[0])
    assert "Confirm this address" in client.get(url).content.decode()
    r = client.post(url)
    assert "Address confirmed" in r.content.decode()
    row.refresh_from_db()
    assert address_for(dana, row) == "dana@example.com" and row.pending_email == ""


def test_sign_up_without_an_address_is_refused(client):
    client.get("/accounts/signup/")
    r = client.post("/accounts/signup/", {"username": "eve", "password1": "a long and unusual passphrase 42",
                                          "password2": "a long and unusual passphrase 42"})
    assert r.status_code == 200 and not get_user_model().objects.filter(username="eve").exists()


def test_changing_the_address_takes_effect_only_through_the_link(smtp, client):
    alice = f.user("alice", email="alice@example.com")
    client.force_login(alice)
    r = client.post("/notifications/settings/email/", {"email": "new@example.org"}, follow=True)
    page = r.content.decode()
    assert "We sent a link to new@example.org" in page and 'id="notify-pending"' in page
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"  # unchanged until confirmed
    url = link_in(smtp.messages[0])
    client.logout()  # the link works in any browser: the signed token is the authority
    client.post(url)
    alice.refresh_from_db()
    assert alice.email == "new@example.org"
    assert address_for(alice, NotificationSettings.objects.get(user=alice)) == "new@example.org"


def test_bad_address_and_bad_links_are_clear(client):
    alice = f.user("alice")
    client.force_login(alice)
    r = client.post("/notifications/settings/email/", {"email": "not an address"}, follow=True)
    assert "Enter a valid email address" in r.content.decode()
    assert client.get("/notifications/confirm/forged/").status_code == 400
    token = confirm_token(alice.pk, "x@example.com")
    assert client.post(f"/notifications/confirm/{token[:-2]}zz/").status_code == 400
    alice.refresh_from_db()
    assert alice.email == ""


def test_channels_and_quiet_hours_are_saved(client):
    alice = f.user("alice")
    client.force_login(alice)
    page = client.get("/settings/").content.decode()
    assert 'id="settings-notifications"' in page and ">Sound<" in page
    client.post("/notifications/settings/channels/", {"browser": "on", "email": "on"})
    row = NotificationSettings.objects.get(user=alice)
    assert (row.sound, row.browser, row.push, row.email) == (False, True, False, True)
    client.post("/notifications/settings/quiet-hours/", {"quiet_start": "22:00", "quiet_end": "08:00",
                                                         "time_zone": "Europe/Paris"})
    row.refresh_from_db()
    assert (str(row.quiet_start), str(row.quiet_end), row.time_zone) == ("22:00:00", "08:00:00", "Europe/Paris")
    r = client.post("/notifications/settings/quiet-hours/", {"quiet_start": "22:00", "quiet_end": "",
                                                             "time_zone": "Europe/Paris"}, follow=True)
    assert "Give quiet hours a start and a different end" in r.content.decode()
    r = client.post("/notifications/settings/quiet-hours/", {"quiet_start": "", "quiet_end": "",
                                                             "time_zone": "Mars/Olympus"}, follow=True)
    assert "Unknown time zone" in r.content.decode()


def test_mute_from_the_conversation_and_strangers_get_404(client):
    alice, bob, carol, conv = f.trio()
    client.force_login(bob)
    r = client.post(f"/notifications/conversations/{conv.pk}/mute/", {"duration": "8h"})
    assert r.status_code == 302 and Mute.objects.get(user=bob, conversation_id=conv.pk).until is not None
    client.post(f"/notifications/conversations/{conv.pk}/mute/", {"duration": "forever"})
    assert Mute.objects.get(user=bob, conversation_id=conv.pk).until is None
    client.post(f"/notifications/conversations/{conv.pk}/mute/", {"duration": "off"})
    assert not Mute.objects.filter(user=bob).exists()
    client.force_login(carol)
    assert client.post(f"/notifications/conversations/{conv.pk}/mute/", {"duration": "1h"}).status_code == 404
    assert client.post("/notifications/conversations/999999/mute/", {"duration": "1h"}).status_code == 404
    assert not Mute.objects.exists()
    client.logout()
    assert client.post(f"/notifications/conversations/{conv.pk}/mute/", {"duration": "1h"}).status_code == 302


def test_settings_writes_need_csrf():
    alice = f.user("alice")
    client = f.client_for(alice, enforce_csrf_checks=True)
    assert client.post("/notifications/settings/channels/", {"sound": "on"}).status_code == 403
    assert client.post("/notifications/settings/email/", {"email": "a@example.com"}).status_code == 403


def test_confirmation_links_are_rate_limited(smtp, client):
    alice = f.user("alice")
    client.force_login(alice)
    for i in range(5):
        client.post("/notifications/settings/email/", {"email": f"a{i}@example.org"})
    r = client.post("/notifications/settings/email/", {"email": "a9@example.org"}, follow=True)
    assert "You asked for several links already" in r.content.decode()
    assert len(smtp.messages) == 5
    assert NotificationSettings.objects.get(user=alice).pending_email == "a4@example.org"

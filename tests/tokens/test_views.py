"""The settings page's "Apps and devices" section: see the signed-in apps and revoke one."""

import pytest

from parley.tokens import services
from parley.tokens.models import Device
from tests import factories as f

pytestmark = pytest.mark.django_db

def test_settings_lists_my_devices_and_revoke_signs_one_out():
    alice, bob = f.user("alice"), f.user("bob")
    phone = services.token_issue(user=bob, device_name="Pixel <8>")
    services.token_issue(user=alice, device_name="Alice's tablet")
    client = f.client_for(bob)
    page = client.get("/settings/").content.decode()
    assert "Pixel &lt;8&gt;" in page and "Alice&#x27;s tablet" not in page and "Alice's tablet" not in page
    assert 'id="settings-blocked"' in page, "the other apps' sections are there too"
    r = client.post(f"/settings/devices/revoke/{phone.device.pk}/", follow=True)
    assert r.redirect_chain[-1][0] == "/settings/"
    assert "is signed out" in r.content.decode()
    assert Device.objects.get(pk=phone.device.pk).revoked_at is not None
    assert services.user_for_token(phone.access_token) == (None, None)
    assert 'id="devices-empty"' in client.get("/settings/").content.decode()


def test_someone_elses_device_is_a_404_and_nothing_changes():
    alice, bob = f.user("alice"), f.user("bob")
    theirs = services.token_issue(user=alice, device_name="Alice's phone")
    client = f.client_for(bob)
    assert client.post(f"/settings/devices/revoke/{theirs.device.pk}/").status_code == 404
    assert client.post("/settings/devices/revoke/999999/").status_code == 404
    assert Device.objects.get(pk=theirs.device.pk).revoked_at is None


def test_revoke_needs_post_and_csrf():
    bob = f.user("bob")
    device = services.token_issue(user=bob, device_name="Phone").device
    assert f.client_for(bob).get(f"/settings/devices/revoke/{device.pk}/").status_code == 405
    assert f.client_for(bob, enforce_csrf_checks=True).post(f"/settings/devices/revoke/{device.pk}/").status_code == 403
    assert Device.objects.get(pk=device.pk).revoked_at is None

"""The push step, against a local push service that checks VAPID and decrypts (RFC 8291):
30 s after an unread message, only without a visible tab; 404/410 remove the device; a
service that is down is retried without pushing any device twice."""

import json

import pytest

from parley.conversations import services as conversations
from parley.notifications.models import Notice, NotificationSettings, PushSubscription
from parley.notifications.services import ladder
from parley.notifications.services.address import email_mark_confirmed
from parley.notifications.services.push import push_subscribe, visibility_report
from tests import factories as f

from .pushservice import verify_vapid

pytestmark = pytest.mark.django_db(transaction=True)


def people(push_service, *devices):
    alice = f.user("alice", email="alice@example.com", first_name="Alice", last_name="Martin")
    bob = f.user("bob", email="bob@example.com", first_name="Bob", last_name="Dupont")
    email_mark_confirmed(user_id=alice.pk, address=alice.email)
    for name in devices:
        sub = push_service.device(name).subscription()
        push_subscribe(user=alice, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"])
    conv = f.conversation(buyer=bob, listing_obj=f.listing(seller=alice, title="Blue bike"))
    return alice, bob, conv


def push_notice(alice):
    return Notice.objects.get(user=alice, channel="push")


def test_pushed_after_30_s_encrypted_saying_what_the_browser_notification_says(push_service, notify_clock):
    alice, bob, conv = people(push_service, "phone")
    f.send(conv, bob, "Is it still for sale?\nI can come today.")
    notify_clock.advance(29)
    ladder.notices_run_due()
    assert push_service.pushes == []
    notify_clock.advance(2)
    ladder.notices_run_due()
    ladder.notices_run_due()
    [push] = push_service.pushes
    assert push["headers"]["content-encoding"] == "aes128gcm"
    assert b"still for sale" not in push["body"]  # encrypted on the wire
    claims = verify_vapid(push["headers"]["authorization"], push_service.url)
    assert claims["sub"] == "mailto:ops@parley.test"
    assert push_service.delivered("phone") == [{
        "title": "Bob Dupont",
        "body": "Blue bike \u2014 Is it still for sale? I can come today.",
        "url": f"/messages/{conv.pk}/",
        "tag": f"parley-conversation-{conv.pk}",
    }]
    notice = push_notice(alice)
    assert (notice.status, notice.reason, notice.messages) == ("sent", "sent", 1)
    assert Notice.objects.get(user=alice, channel="email").status == "pending"  # the next step still waits


def test_no_push_while_a_tab_is_visible_and_reading_cancels_it(push_service, notify_clock, client):
    alice, bob, conv = people(push_service, "phone")
    client.force_login(alice)
    r = client.post("/api/v1/frames", json.dumps({"type": "visibility", "visible": True}),
                    content_type="application/json")
    assert r.status_code == 200 and r.json() == {"type": "ack", "visible": True}, r.content
    f.send(conv, bob, "hello")
    notify_clock.advance(31)
    ladder.notices_run_due()
    assert push_service.pushes == [] and push_notice(alice).reason == "visible"
    visibility_report(user_id=alice.pk, visible=False)  # the tab was hidden
    f.send(conv, bob, "still there?")
    conversations.conversation_mark_read(user=alice, conversation=conv)  # read on another device
    notify_clock.advance(31)
    ladder.notices_run_due()
    assert push_service.pushes == []
    assert Notice.objects.filter(user=alice, channel="push").order_by("-pk")[0].reason == "read"


def test_410_and_404_remove_the_device(push_service, notify_clock):
    alice, bob, conv = people(push_service, "old", "gone")
    push_service.status = {"old": [410], "gone": [404]}
    f.send(conv, bob, "hello")
    notify_clock.advance(31)
    ladder.notices_run_due()
    assert len(push_service.pushes) == 2
    assert not PushSubscription.objects.filter(user=alice).exists()
    assert (push_notice(alice).status, push_notice(alice).reason) == ("failed", "gone")
    f.send(conv, bob, "again")
    notify_clock.advance(31)
    ladder.notices_run_due()
    assert len(push_service.pushes) == 2 and Notice.objects.filter(user=alice, channel="push").count() == 1


def test_a_failing_push_service_is_retried_and_no_device_gets_it_twice(push_service, notify_clock):
    alice, bob, conv = people(push_service, "laptop", "phone")
    push_service.status = {"phone": [503]}
    f.send(conv, bob, "hello")
    notify_clock.advance(31)
    ladder.notices_run_due()
    notice = push_notice(alice)
    assert (notice.status, notice.reason, notice.attempts) == ("pending", "retrying", 1)
    assert "503" in notice.last_error and "503" in PushSubscription.objects.get(endpoint__endswith="phone").last_error
    notify_clock.advance(31)
    ladder.notices_run_due()
    ladder.notices_run_due()
    assert len(push_service.delivered("laptop")) == 1 and len(push_service.delivered("phone")) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 2)


def test_a_bad_subscription_is_reported_not_retried(push_service, notify_clock):
    alice, bob, conv = people(push_service, "broken")
    push_service.status = {"broken": [400]}
    f.send(conv, bob, "hello")
    notify_clock.advance(31)
    ladder.notices_run_due()
    sub = PushSubscription.objects.get(user=alice)
    assert sub.failures == 1 and sub.last_error.startswith("HTTP 400")
    assert push_notice(alice).status == "failed"


def test_push_switched_off_or_muted_or_quiet_hours(push_service, notify_clock):
    from datetime import timedelta

    from parley.notifications.services import clock
    from parley.notifications.services.preferences import quiet_hours_update

    alice, bob, conv = people(push_service, "phone")
    now = clock()
    quiet_hours_update(user_id=alice.pk, start=(now - timedelta(hours=1)).strftime("%H:%M"),
                       end=(now + timedelta(hours=1)).strftime("%H:%M"), time_zone="UTC")
    f.send(conv, bob, "late")
    notify_clock.advance(31)
    ladder.notices_run_due()
    assert push_notice(alice).reason == "quiet" and push_service.pushes == []
    NotificationSettings.objects.filter(user=alice).update(push=False, quiet_start=None, quiet_end=None)
    f.send(conv, bob, "later")
    assert Notice.objects.filter(user=alice, channel="push").count() == 1  # no push notice opened at all


def test_subscribe_checks_the_subscription_and_needs_csrf(push_service, settings):
    alice = f.user("alice")
    device = push_service.device("tablet").subscription()
    client = f.client_for(alice, enforce_csrf_checks=True)
    assert client.post("/notifications/push/subscribe/", json.dumps(device), content_type="application/json").status_code == 403
    client = f.client_for(alice)
    r = client.post("/notifications/push/subscribe/", json.dumps(device), content_type="application/json")
    assert r.status_code == 201 and PushSubscription.objects.filter(user=alice).count() == 1
    bad = {**device, "keys": {"p256dh": "short", "auth": "x"}}
    r = client.post("/notifications/push/subscribe/", json.dumps(bad), content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_subscription"
    settings.PARLEY_PUSH_ALLOW_PRIVATE = False  # production: https on a public address only
    r = client.post("/notifications/push/subscribe/", json.dumps({**device, "endpoint": "https://127.0.0.1/x"}),
                    content_type="application/json")
    assert r.status_code == 422
    r = client.post("/notifications/push/subscribe/", "not json", content_type="application/json")
    assert r.status_code == 422
    r = client.post("/notifications/push/unsubscribe/", json.dumps({"endpoint": device["endpoint"]}),
                    content_type="application/json")
    assert r.json() == {"removed": True} and not PushSubscription.objects.exists()


def test_manifest_and_service_worker_at_the_root(client):
    r = client.get("/manifest.webmanifest")
    assert r["Content-Type"] == "application/manifest+json"
    manifest = r.json()
    assert manifest["start_url"] == "/messages/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200 or icon["src"].startswith("/static/")
    sw = client.get("/sw.js")
    assert sw["Content-Type"].startswith("text/javascript") and sw["Service-Worker-Allowed"] == "/"
    assert b'addEventListener("push"' in sw.content
    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/accounts/login/").content.decode()

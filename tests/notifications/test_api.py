"""The notifications JSON API (/api/v1/push/..., /me/notifications, /conversations/{id}/mute):
real HTTP through Django's test client, with the session (CSRF on writes) and a Bearer token."""

import json

import pytest
from django.test import Client

from parley.notifications.models import Mute, NotificationSettings, PushSubscription
from parley.notifications.services.push import generate_vapid_keys
from tests import factories as f
from tests.api.test_api_v1 import Api, error_of

pytestmark = pytest.mark.usefixtures("no_rate_limit")

P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


@pytest.fixture
def vapid(settings):
    keys = generate_vapid_keys()
    settings.PARLEY_VAPID_PRIVATE_KEY, settings.PARLEY_VAPID_PUBLIC_KEY = keys["private"], keys["public"]
    settings.PARLEY_PUSH_ALLOW_PRIVATE = True  # the tests' endpoints are local
    return keys


@pytest.fixture
def trio(db):
    return f.trio()


class JsonApi(Api):
    def put(self, path, payload):
        return self.client.put("/api/v1" + path, json.dumps(payload), content_type="application/json")

    def patch(self, path, payload):
        return self.client.patch("/api/v1" + path, json.dumps(payload), content_type="application/json")

    def delete(self, path):
        return self.client.delete("/api/v1" + path)


def subscription(endpoint="http://127.0.0.1:9/push/abc", p256dh=P256DH, auth=AUTH):
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}, "expirationTime": None}


def test_the_vapid_key_is_the_settings_one_or_null(trio, vapid, settings):
    api = JsonApi(trio[0])
    assert api.get("/push/key").json() == {"application_server_key": vapid["public"]}
    settings.PARLEY_VAPID_PRIVATE_KEY = ""
    assert api.get("/push/key").json() == {"application_server_key": None}
    assert Client().get("/api/v1/push/key").status_code == 401


def test_subscribe_list_and_delete_a_device_idempotently(trio, vapid):
    alice, bob, _carol, _conv = trio
    api = JsonApi(alice)
    r = api.post("/push/subscriptions", subscription())
    assert r.status_code == 201, r.content
    sub = r.json()["subscription"]
    assert sub["endpoint"] == "http://127.0.0.1:9/push/abc" and sub["created_at"].endswith("Z")
    again = api.post("/push/subscriptions", subscription())
    assert again.status_code == 200 and again.json()["subscription"]["id"] == sub["id"], "same endpoint: a retry"
    assert PushSubscription.objects.count() == 1
    assert [s["id"] for s in api.get("/push/subscriptions").json()["subscriptions"]] == [sub["id"]]
    assert JsonApi(bob).get("/push/subscriptions").json() == {"subscriptions": []}
    # Someone else's subscription is exactly as missing as one that does not exist.
    stranger = error_of(JsonApi(bob).delete(f"/push/subscriptions/{sub['id']}"), 404, "not_found")
    missing = error_of(api.delete("/push/subscriptions/999999"), 404, "not_found")
    assert stranger == missing
    assert api.delete(f"/push/subscriptions/{sub['id']}").status_code == 204
    assert not PushSubscription.objects.exists()
    error_of(api.delete(f"/push/subscriptions/{sub['id']}"), 404, "not_found")


def test_bad_subscriptions_get_422_and_nothing_is_saved(trio, vapid, settings):
    api = JsonApi(trio[0])
    error_of(api.post("/push/subscriptions", subscription(p256dh="not-a-key")), 422, "bad_subscription")
    error_of(api.post("/push/subscriptions", subscription(auth="AAAA")), 422, "bad_subscription")
    error_of(api.post("/push/subscriptions", subscription(endpoint="ftp://127.0.0.1/x")), 422, "bad_subscription")
    error_of(api.post("/push/subscriptions", {"endpoint": "http://127.0.0.1:9/x"}), 422, "invalid")
    error_of(api.post("/push/subscriptions", [1]), 400, "bad_json")
    settings.PARLEY_PUSH_ALLOW_PRIVATE = False  # production: https on a public address only
    body = error_of(api.post("/push/subscriptions", subscription()), 422, "bad_subscription")
    assert body["details"]["field"] == "endpoint"
    error_of(api.post("/push/subscriptions", subscription(endpoint="https://127.0.0.1/push/x")), 422, "bad_subscription")
    settings.PARLEY_VAPID_PRIVATE_KEY = ""
    error_of(api.post("/push/subscriptions", subscription()), 422, "push_unavailable")
    assert not PushSubscription.objects.exists()


def test_channels_and_quiet_hours_read_and_patched(trio):
    alice = trio[0]
    api = JsonApi(alice)
    assert api.get("/me/notifications").json() == {
        "channels": {"sound": True, "browser": True, "push": True, "email": True},
        "quiet_hours": {"start": None, "end": None, "time_zone": "UTC"},
        "email_unsubscribed": False,
    }
    r = api.patch("/me/notifications", {"channels": {"sound": False},
                                        "quiet_hours": {"start": "22:00", "end": "08:00", "time_zone": "Europe/Paris"}})
    assert r.status_code == 200, r.content
    assert r.json()["channels"] == {"sound": False, "browser": True, "push": True, "email": True}
    assert r.json()["quiet_hours"] == {"start": "22:00", "end": "08:00", "time_zone": "Europe/Paris"}
    assert api.get("/me/notifications").json() == r.json()
    # Keys left out keep their value; null start and end clear quiet hours.
    r = api.patch("/me/notifications", {"quiet_hours": {"start": None, "end": None}})
    assert r.json()["quiet_hours"] == {"start": None, "end": None, "time_zone": "Europe/Paris"}
    assert r.json()["channels"]["sound"] is False
    row = NotificationSettings.objects.get(user=alice)
    assert (row.sound, row.quiet_start, row.time_zone) == (False, None, "Europe/Paris")


def test_bad_settings_get_422_and_change_nothing(trio):
    alice = trio[0]
    api = JsonApi(alice)
    before = api.get("/me/notifications").json()
    cases = [
        ({"channels": {"email": False}, "quiet_hours": {"time_zone": "Mars/Olympus"}}, "time_zone"),
        ({"channels": {"sound": False}, "quiet_hours": {"start": "25:00", "end": "08:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "08:00", "end": "08:00"}}, "quiet_hours"),
    ]
    for body, field in cases:
        error = error_of(api.patch("/me/notifications", body), 422, "invalid")
        assert error["details"]["field"] == field, body
    for body in ({"channels": {"sound": "loud"}}, {"channels": 3}, {"quiet_hours": {"start": 2200}}):
        error_of(api.patch("/me/notifications", body), 422, "invalid")
    assert api.get("/me/notifications").json() == before, "all or nothing: the email switch did not move"


def test_mute_and_unmute_through_the_access_check(trio, capture_events):
    alice, _bob, carol, conv = trio
    api = JsonApi(alice)
    with capture_events(expected=1) as got:
        r = api.put(f"/conversations/{conv.pk}/mute", {"for": "8h"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["conversation_id"] == conv.pk and body["muted"] is True and body["until"].endswith("Z")
    assert [(e.user_id, e.type, e.data) for e in got.events] == [
        (alice.pk, "conversation.muted", {"conversation_id": conv.pk, "until": body["until"]})]
    with capture_events(expected=1) as got:
        r = api.put(f"/conversations/{conv.pk}/mute", {"for": "forever"})
    assert r.json() == {"conversation_id": conv.pk, "muted": True, "until": None}
    assert got.events[0].data == {"conversation_id": conv.pk, "until": None}
    assert Mute.objects.get(user=alice).until is None
    error_of(api.put(f"/conversations/{conv.pk}/mute", {"for": "2h"}), 422, "invalid")
    error_of(api.put(f"/conversations/{conv.pk}/mute", {}), 422, "invalid")
    stranger = error_of(JsonApi(carol).put(f"/conversations/{conv.pk}/mute", {"for": "1h"}), 404, "not_found")
    missing = error_of(api.put("/conversations/999999/mute", {"for": "1h"}), 404, "not_found")
    assert stranger == missing
    error_of(JsonApi(carol).delete(f"/conversations/{conv.pk}/mute"), 404, "not_found")
    with capture_events(expected=1) as got:
        r = api.delete(f"/conversations/{conv.pk}/mute")
    assert r.json() == {"conversation_id": conv.pk, "muted": False, "until": None}
    assert got.events[0].type == "conversation.unmuted"
    with capture_events(expected=0):
        assert api.delete(f"/conversations/{conv.pk}/mute").status_code == 200, "unmuting twice is a retry"
    assert not Mute.objects.exists()


def test_session_writes_need_csrf(trio, vapid):
    alice, _bob, _carol, conv = trio
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(alice)
    writes = [
        ("post", "/api/v1/push/subscriptions", subscription()),
        ("patch", "/api/v1/me/notifications", {"channels": {"sound": False}}),
        ("put", f"/api/v1/conversations/{conv.pk}/mute", {"for": "1h"}),
        ("delete", f"/api/v1/conversations/{conv.pk}/mute", None),
    ]
    for method, path, body in writes:
        r = getattr(csrf, method)(path, json.dumps(body) if body else "", content_type="application/json")
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed", (method, path)
    assert not PushSubscription.objects.exists() and not Mute.objects.exists()
    assert NotificationSettings.objects.filter(user=alice, sound=False).count() == 0
    for path in ("/api/v1/me/notifications", "/api/v1/push/subscriptions"):
        assert Client().get(path).status_code == 401


def test_a_bearer_token_works_without_csrf(trio, vapid, settings, rate_clock):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    alice, _bob, _carol, conv = trio
    alice.set_password("correct horse battery")
    alice.save()
    app = Client(enforce_csrf_checks=True)
    r = app.post("/api/v1/auth/token", json.dumps({"username": alice.username, "password": "correct horse battery",
                                                   "device_name": "Alice's phone"}), content_type="application/json")
    assert r.status_code == 201, r.content
    auth = {"HTTP_AUTHORIZATION": f"Bearer {r.json()['access_token']}"}
    r = app.put(f"/api/v1/conversations/{conv.pk}/mute", json.dumps({"for": "1h"}), content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["muted"] is True
    r = app.post("/api/v1/push/subscriptions", json.dumps(subscription()), content_type="application/json", **auth)
    assert r.status_code == 201
    r = app.patch("/api/v1/me/notifications", json.dumps({"channels": {"email": False}}), content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["channels"]["email"] is False
    assert PushSubscription.objects.get().user == alice and Mute.objects.get().user == alice

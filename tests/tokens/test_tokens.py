"""App tokens (issue 17, item 1): log in, Bearer on every endpoint without CSRF, refresh rotation
with reuse detection, devices seen and revoked, and the WebSocket taking the token in the
handshake's subprotocols, not the URL.
"""

import json
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from parley.tokens.models import Device, Token
from parley.tokens.services import digest
from parley.conversations.models import Message
from tests import factories as f
from tests.support.asgi import ASGIHarness, Closed, Refused, run

PASSWORD = "correct horse battery"


@pytest.fixture
def fast(settings, rate_clock):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PARLEY_LOGIN_FAILURES_PER_ACCOUNT = 5
    cache.clear()
    yield rate_clock
    cache.clear()


@pytest.fixture
def people(db, fast):
    alice, bob = f.user("alice", password=PASSWORD), f.user("bob", password=PASSWORD)
    conv = f.conversation(buyer=bob, seller=alice)
    return alice, bob, conv


def post(path, payload, **headers):
    client = Client(enforce_csrf_checks=True)
    return client.post("/api/v1" + path, json.dumps(payload), content_type="application/json", **headers)


def log_in(username="bob", password=PASSWORD, device="Bob's phone"):
    return post("/auth/token", {"username": username, "password": password, "device_name": device})


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_log_in_then_every_endpoint_takes_the_bearer_token_without_csrf(people):
    alice, bob, conv = people
    r = log_in()
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 15 * 60
    assert body["device"]["name"] == "Bob's phone"
    access, refresh = body["access_token"], body["refresh_token"]
    assert access.startswith("plt_") and access != refresh
    # Stored hashed: neither value is in the database.
    stored = set(Token.objects.values_list("digest", flat=True))
    assert stored == {digest(access), digest(refresh)} and access not in stored

    client = Client(enforce_csrf_checks=True)
    assert client.get("/api/v1/me", **bearer(access)).json()["user"]["username"] == "bob"
    sent = client.post(f"/api/v1/conversations/{conv.pk}/messages",
                       json.dumps({"body": "from the app", "client_msg_id": str(uuid.uuid4())}),
                       content_type="application/json", **bearer(access))
    assert sent.status_code == 201, sent.content
    assert Message.objects.get().sender_id == bob.pk
    frame = client.post("/api/v1/frames", json.dumps({"type": "ping", "id": 1}), content_type="application/json",
                        **bearer(access))
    assert frame.json() == {"type": "pong", "id": 1}
    assert client.get("/api/v1/events?since=0", **bearer(access)).json()["events"]


def test_wrong_bad_or_missing_tokens_are_401_in_the_one_shape(people):
    alice, bob, conv = people
    client = Client()
    for header in ("Bearer plt_not-a-token", "Bearer ", "Basic Ym9iOng=", f"Bearer {'x' * 500}"):
        r = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated", header
    wrong = log_in(password="nope")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_credentials"
    assert not Device.objects.exists()
    empty_name = log_in(device="   ")
    assert empty_name.status_code == 422 and empty_name.json()["error"]["details"]["field"] == "device_name"


def test_the_access_token_expires(people, settings):
    settings.PARLEY_ACCESS_TOKEN_TTL = -1
    access = log_in().json()["access_token"]
    assert Client().get("/api/v1/me", **bearer(access)).status_code == 401


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(people):
    first = log_in().json()
    second = post("/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.content
    second = second.json()
    assert second["device"]["id"] == first["device"]["id"]
    assert second["refresh_token"] != first["refresh_token"]
    me = lambda token: Client().get("/api/v1/me", **bearer(token)).status_code  # noqa: E731
    assert me(first["access_token"]) == 401, "the old access token ends with the rotation"
    assert me(second["access_token"]) == 200
    # The first refresh token again: someone kept a copy. The whole device is signed out.
    reused = post("/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "token_reused"
    assert me(second["access_token"]) == 401
    again = post("/auth/refresh", {"refresh_token": second["refresh_token"]})
    assert again.status_code == 401 and again.json()["error"]["code"] == "invalid_token"
    assert Device.objects.get().revoked_at is not None


def test_log_in_is_throttled_per_account_like_the_form(people):
    for _ in range(5):
        assert log_in(password="wrong").status_code == 401
    throttled = log_in()
    assert throttled.status_code == 429 and throttled.json()["error"]["code"] == "rate_limited"
    assert throttled.json()["error"]["details"]["retry_after"] > 0
    # The form shares the budget: the same account is refused there too.
    form = Client().post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert form.status_code == 200 and "Too many failed log-ins" in form.content.decode()


def test_devices_are_listed_and_revoked_and_strangers_get_404(people):
    alice, bob, _conv = people
    phone = log_in(device="Phone").json()
    tablet = log_in(device="Tablet").json()
    alices = log_in("alice", device="Alice's laptop").json()
    client = Client()
    listed = client.get("/api/v1/devices", **bearer(phone["access_token"])).json()["devices"]
    assert {d["name"] for d in listed} == {"Phone", "Tablet"}
    # Alice cannot see or revoke bob's devices: the same 404 as a missing one.
    theirs = client.delete(f"/api/v1/devices/{phone['device']['id']}", **bearer(alices["access_token"]))
    missing = client.delete("/api/v1/devices/999999", **bearer(alices["access_token"]))
    assert theirs.status_code == missing.status_code == 404 and theirs.json() == missing.json()
    gone = client.delete(f"/api/v1/devices/{tablet['device']['id']}", **bearer(phone["access_token"]))
    assert gone.status_code == 204
    assert client.get("/api/v1/me", **bearer(tablet["access_token"])).status_code == 401
    assert post("/auth/refresh", {"refresh_token": tablet["refresh_token"]}).status_code == 401
    assert client.get("/api/v1/me", **bearer(phone["access_token"])).status_code == 200


def test_a_password_change_or_a_suspension_ends_the_tokens(people):
    alice, bob, _conv = people
    token = log_in().json()["access_token"]
    bob.set_password("a brand new passphrase")
    bob.save()
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 401
    token = log_in(password="a brand new passphrase").json()["access_token"]
    bob.is_active = False
    bob.save()
    assert Client().get("/api/v1/me", **bearer(token)).status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_broker", "fresh_batchers")
def test_the_socket_takes_the_token_in_its_subprotocols_and_closes_when_the_device_is_revoked(fast):
    alice, bob = f.user("alice", password=PASSWORD), f.user("bob", password=PASSWORD)
    conv = f.conversation(buyer=bob, seller=alice)
    pair = log_in().json()

    async def go():
        async with ASGIHarness() as h:
            app = await h.ws(origin=None, subprotocols=["parley.v1", f"parley.bearer.{pair['access_token']}"])
            assert app.subprotocol == "parley.v1"
            assert app.ready["user_id"] == bob.pk
            ack = await app.request({"type": "send", "conversation_id": conv.pk, "body": "hi",
                                     "client_msg_id": str(uuid.uuid4())})
            assert ack["type"] == "ack"
            web = await h.ws(bob)  # bob's browser session stays open
            with pytest.raises(Refused):
                await h.ws(origin=None, subprotocols=["parley.v1", "parley.bearer.plt_wrong"])
            status, _body = await h.http(
                "DELETE", f"/api/v1/devices/{pair['device']['id']}",
                headers=[(b"authorization", f"Bearer {pair['access_token']}".encode())])
            assert status == 204
            with pytest.raises(Closed) as closed:
                while True:
                    await app.recv()
            assert closed.value.code == 4401
            assert (await web.request({"type": "ping"}))["type"] == "pong", "the browser session is not the device"
            with pytest.raises(Refused):
                await h.ws(origin=None, subprotocols=["parley.v1", f"parley.bearer.{pair['access_token']}"])

    run(go())

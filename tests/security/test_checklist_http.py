"""The security checklist (GUIDE.md §5) for HTTP: access, log-in, CSRF and headers.

WebSocket hardening (Origin, unauthenticated sockets, logout, frames) is in
tests/security/test_checklist_ws.py, against a real server; tests/security/test_checklist.py maps every item to its tests.
"""

import json
import re
import uuid

import pytest
from django.test import Client

from parley.conversations.models import Conversation, Message, Participant
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_rate_limit")

MISSING = 10**9


@pytest.fixture
def world(db):
    alice, bob, carol, conv = f.trio()
    for i in range(3):
        f.send(conv, bob if i % 2 == 0 else alice, f"secret {i}")
    return alice, bob, carol, conv


def as_user(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def _requests(conv_id):
    body = json.dumps({"body": "hi", "client_msg_id": str(uuid.uuid4())})
    return {
        "page": ("get", f"/messages/{conv_id}/", None),
        "api detail": ("get", f"/api/v1/conversations/{conv_id}", None),
        "api messages": ("get", f"/api/v1/conversations/{conv_id}/messages", None),
        "api send": ("post", f"/api/v1/conversations/{conv_id}/messages", body),
        "api read": ("post", f"/api/v1/conversations/{conv_id}/read", json.dumps({"seq": 1})),
    }


def _do(client, method, path, body):
    if method == "get":
        return client.get(path)
    return client.post(path, body, content_type="application/json")


def _normalised(response, path) -> str:
    """The body with its own path and the per-response masked CSRF tokens blanked out."""
    text = response.content.decode().replace(path, "PATH")
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*', r"\1TOKEN", text)


@pytest.mark.parametrize("route", list(_requests(1)))
def test_outsider_gets_the_same_404_as_for_a_missing_id(world, route):
    alice, bob, carol, conv = world
    carol_client = as_user(carol)
    before = (Message.objects.count(), list(Participant.objects.values_list("last_read_seq", flat=True)))
    theirs = _do(carol_client, *_requests(conv.pk)[route])
    missing = _do(carol_client, *_requests(MISSING)[route])
    assert theirs.status_code == missing.status_code == 404
    assert _normalised(theirs, _requests(conv.pk)[route][1]) == _normalised(missing, _requests(MISSING)[route][1])
    assert b"secret" not in theirs.content
    if route.startswith("api"):
        assert theirs.json() == {"error": {"code": "not_found", "message": "Conversation not found.", "details": {}}}
    assert (Message.objects.count(), list(Participant.objects.values_list("last_read_seq", flat=True))) == before


@pytest.mark.django_db(transaction=True)
def test_outsider_cannot_see_the_conversation_in_lists_or_events():
    # transaction=True: the events view closes its connection between reads.
    alice, bob, carol, conv = f.trio()
    f.send(conv, bob, "secret")
    client = as_user(carol)
    assert client.get("/api/v1/conversations").json()["conversations"] == []
    assert client.get("/api/v1/events?since=0").json()["events"] == []
    assert client.get("/api/v1/me").json()["unread_total"] == 0


@pytest.mark.parametrize("path", ["/messages/", "/messages/1/"])
def test_logged_out_pages_redirect_to_login(db, path):
    r = Client().get(path)
    assert r.status_code == 302
    assert r["Location"] == f"/accounts/login/?next={path}"


def test_logged_out_start_conversation_redirects_to_login(db):
    item = f.listing(seller=f.user())
    r = Client().post(f"/messages/start/{item.pk}/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=")
    assert Conversation.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me"),
        ("get", "/api/v1/conversations"),
        ("get", "/api/v1/conversations/1"),
        ("get", "/api/v1/conversations/1/messages"),
        ("get", "/api/v1/events?since=0"),
        ("post", "/api/v1/conversations"),
        ("post", "/api/v1/conversations/1/messages"),
        ("post", "/api/v1/conversations/1/read"),
    ],
)
def test_logged_out_api_is_401_with_the_error_shape(world, method, path):
    client = Client()
    r = client.get(path) if method == "get" else client.post(path, json.dumps({"body": "x", "client_msg_id": str(uuid.uuid4()), "listing_id": 1}), content_type="application/json")
    assert r.status_code == 401, r.content
    error = r.json()["error"]
    assert error["code"] == "unauthenticated" and error["message"] and error["details"] == {}


CSRF_SECRET = "a" * 32


def test_api_post_without_csrf_token_is_refused(world):
    alice, bob, carol, conv = world
    client = as_user(bob, enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    path = f"/api/v1/conversations/{conv.pk}/messages"
    payload = json.dumps({"body": "forged", "client_msg_id": str(uuid.uuid4())})
    r = client.post(path, payload, content_type="application/json")
    assert r.status_code == 403
    r = client.post(path, payload, content_type="application/json", headers={"X-CSRFToken": "b" * 32})
    assert r.status_code == 403, "a token that does not match the cookie is refused"
    assert not Message.objects.filter(body="forged").exists()
    r = client.post(path, payload, content_type="application/json", headers={"X-CSRFToken": CSRF_SECRET})
    assert r.status_code == 201, r.content
    for path in (f"/api/v1/conversations/{conv.pk}/read", "/api/v1/conversations"):
        assert client.post(path, json.dumps({"listing_id": conv.listing_id}), content_type="application/json").status_code == 403


def test_start_conversation_without_csrf_token_is_refused(db):
    alice, bob = f.user(), f.user()
    item = f.listing(seller=alice)
    client = as_user(bob, enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF_SECRET
    r = client.post(f"/messages/start/{item.pk}/")
    assert r.status_code == 403
    assert Conversation.objects.count() == 0
    r = client.post(f"/messages/start/{item.pk}/", {"csrfmiddlewaretoken": CSRF_SECRET})
    assert r.status_code == 302
    conv = Conversation.objects.get()
    assert r["Location"] == f"/messages/{conv.pk}/"


def test_start_conversation_is_post_only(db):
    item = f.listing(seller=f.user())
    assert as_user(f.user()).get(f"/messages/start/{item.pk}/").status_code == 405
    assert Conversation.objects.count() == 0


def test_logout_is_post_only_and_needs_csrf(db):
    bob = f.user()
    client = as_user(bob, enforce_csrf_checks=True)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/api/v1/me").status_code == 200, "still logged in"


def test_start_own_listing_is_refused_with_a_message(db):
    alice = f.user()
    item = f.listing(seller=alice)
    r = as_user(alice).post(f"/messages/start/{item.pk}/")
    assert r.status_code == 302 and r["Location"] == item.get_absolute_url()
    assert Conversation.objects.count() == 0


def test_start_missing_listing_is_404(db):
    assert as_user(f.user()).post(f"/messages/start/{MISSING}/").status_code == 404


@pytest.mark.parametrize("path", ["/healthz", "/accounts/login/", "/api/v1/me", "/api/v1/openapi.json"])
def test_security_headers(db, path):
    r = Client().get(path)
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_httponly_and_samesite(db):
    alice = f.user("cookie-user", password="a long test password 123")
    client = Client()
    client.get("/accounts/login/")
    r = client.post("/accounts/login/", {"username": "cookie-user", "password": "a long test password 123"})
    assert r.status_code == 302
    session = r.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert client.get("/api/v1/me").json()["user"]["id"] == alice.pk

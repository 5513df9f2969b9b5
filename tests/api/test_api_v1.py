"""The JSON API (/api/v1/) in-process on the real database."""

import json
import uuid

import pytest
from django.test import Client

from parley.conversations.models import Conversation, Message
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_rate_limit")


class Api:
    """A logged-in test client that speaks JSON."""

    def __init__(self, user):
        self.user = user
        self.client = Client()
        self.client.force_login(user)

    def get(self, path, **params):
        return self.client.get("/api/v1" + path, params)

    def post(self, path, payload=None, raw=None):
        return self.client.post(
            "/api/v1" + path, raw if raw is not None else json.dumps(payload or {}), content_type="application/json"
        )

    def send(self, conv_id, body="hello", client_msg_id=None):
        return self.post(f"/conversations/{conv_id}/messages", {"body": body, "client_msg_id": str(client_msg_id or uuid.uuid4())})


def error_of(response, status, code):
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture
def people(db):
    alice, bob, carol = f.user("alice"), f.user("bob"), f.user("carol")
    return alice, bob, carol


def test_openapi_lists_the_paths(db):
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["info"]["title"] == "Parley API"
    paths = set(doc["paths"])
    for path in (
        "/api/v1/me",
        "/api/v1/conversations",
        "/api/v1/conversations/{conversation_id}",
        "/api/v1/conversations/{conversation_id}/messages",
        "/api/v1/conversations/{conversation_id}/read",
        "/api/v1/events",
    ):
        assert path in paths, (path, sorted(paths))
    assert {"get", "post"} <= set(doc["paths"]["/api/v1/conversations/{conversation_id}/messages"])


def test_me(people):
    alice, bob, _ = people
    conv = f.conversation(buyer=bob, seller=alice)
    f.send(conv, bob, "hi")
    body = Api(alice).get("/me").json()
    assert body["user"]["username"] == "alice"
    assert body["cursor"] == 1 and body["unread_total"] == 1


def test_create_or_get_conversation(people):
    alice, bob, _ = people
    item = f.listing(seller=alice, title="Road bike", price="350.00")
    api = Api(bob)
    r = api.post("/conversations", {"listing_id": item.pk})
    assert r.status_code == 201, r.content
    conv = r.json()["conversation"]
    assert conv["role"] == "buyer" and conv["other"]["username"] == "alice"
    assert conv["listing"]["title"] == "Road bike" and conv["listing"]["price"] == "350.00"
    assert conv["listing"]["seller_id"] == alice.pk
    r2 = api.post("/conversations", {"listing_id": item.pk})
    assert r2.status_code == 200 and r2.json()["conversation"]["id"] == conv["id"]
    assert Conversation.objects.count() == 1


def test_create_conversation_refusals(people):
    alice, _, _ = people
    own = f.listing(seller=alice)
    api = Api(alice)
    err = error_of(api.post("/conversations", {"listing_id": own.pk}), 403, "own_listing")
    assert "own listing" in err["message"]
    error_of(api.post("/conversations", {"listing_id": 10**9}), 404, "not_found")
    err = error_of(api.post("/conversations", {"listing_id": "abc"}), 422, "invalid")
    assert err["details"]["errors"]
    assert Conversation.objects.count() == 0


def test_conversation_detail_and_inbox(people):
    alice, bob, _ = people
    conv = f.conversation(buyer=bob, seller=alice)
    for i in range(3):
        f.send(conv, bob, f"m{i}")
    detail = Api(alice).get(f"/conversations/{conv.pk}").json()["conversation"]
    assert detail["id"] == conv.pk and detail["role"] == "seller"
    assert (detail["last_seq"], detail["last_read_seq"], detail["other_read_seq"]) == (3, 0, 3)
    rows = Api(alice).get("/conversations").json()["conversations"]
    assert [r["id"] for r in rows] == [conv.pk]
    assert rows[0]["unread"] == 3 and rows[0]["last_message"]["body"] == "m2"


def test_messages_paging_by_before_cursor(people):
    alice, bob, _ = people
    conv = f.conversation(buyer=bob, seller=alice)
    for i in range(1, 8):
        f.send(conv, bob, f"m{i}")
    api = Api(alice)
    page = api.get(f"/conversations/{conv.pk}/messages", limit=3).json()
    assert [m["seq"] for m in page["messages"]] == [5, 6, 7]
    assert page["has_more"] is True and page["next_before"] == 5
    page = api.get(f"/conversations/{conv.pk}/messages", limit=3, before=page["next_before"]).json()
    assert [m["seq"] for m in page["messages"]] == [2, 3, 4] and page["next_before"] == 2
    page = api.get(f"/conversations/{conv.pk}/messages", limit=3, before=2).json()
    assert [m["body"] for m in page["messages"]] == ["m1"]
    assert page["has_more"] is False and page["next_before"] is None
    page = api.get(f"/conversations/{conv.pk}/messages").json()
    assert [m["seq"] for m in page["messages"]] == list(range(1, 8))
    error_of(api.get(f"/conversations/{conv.pk}/messages", limit=0), 422, "invalid")
    error_of(api.get(f"/conversations/{conv.pk}/messages", limit=101), 422, "invalid")
    error_of(api.get("/conversations", limit=0), 422, "invalid")
    error_of(api.get("/conversations", limit=101), 422, "invalid")
    error_of(api.get("/events", limit=0), 422, "invalid")
    error_of(api.get(f"/conversations/{conv.pk}/messages", before="x"), 422, "invalid")


def test_send_is_201_then_200_for_a_retry(people):
    alice, bob, _ = people
    conv = f.conversation(buyer=bob, seller=alice)
    api = Api(bob)
    cmid = uuid.uuid4()
    r1 = api.send(conv.pk, "  Is it still available?  ", cmid)
    assert r1.status_code == 201, r1.content
    message = r1.json()["message"]
    assert message["body"] == "Is it still available?" and message["seq"] == 1 and message["sender_id"] == bob.pk
    assert message["client_msg_id"] == str(cmid) and message["created_at"].endswith("Z")
    r2 = api.send(conv.pk, "Is it still available?", cmid)
    assert r2.status_code == 200 and r2.json()["message"] == message
    assert Message.objects.count() == 1
    other = f.conversation(buyer=bob, seller=alice)
    err = error_of(api.send(other.pk, "x", cmid), 409, "conflict")
    assert err["details"]["field"] == "client_msg_id"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "", "client_msg_id": str(uuid.uuid4())}, "body"),
        ({"body": "   ", "client_msg_id": str(uuid.uuid4())}, "body"),
        ({"body": "x" * 5001, "client_msg_id": str(uuid.uuid4())}, "body"),
        ({"body": "nul\u0000", "client_msg_id": str(uuid.uuid4())}, "body"),
        ({"body": "bell\u0007", "client_msg_id": str(uuid.uuid4())}, "body"),
        ({"body": "hi", "client_msg_id": "not-a-uuid"}, None),
        ({"body": "hi"}, None),
        ({"client_msg_id": str(uuid.uuid4())}, None),
        ({"body": 5, "client_msg_id": str(uuid.uuid4())}, None),
    ],
)
def test_invalid_send_is_422_with_the_error_shape(people, payload, field):
    alice, bob, _ = people
    conv = f.conversation(buyer=bob, seller=alice)
    err = error_of(Api(bob).post(f"/conversations/{conv.pk}/messages", payload), 422, "invalid")
    if field:
        assert err["details"]["field"] == field
    else:
        assert err["details"]["errors"], "schema errors say which field is wrong"
    assert Message.objects.count() == 0


def test_malformed_json_is_an_error_not_a_crash(people):
    alice, bob, _ = people
    conv = f.conversation(buyer=bob, seller=alice)
    r = Api(bob).post(f"/conversations/{conv.pk}/messages", raw="{not json")
    assert 400 <= r.status_code < 500
    assert r.json()["error"]["code"]


def test_read_marks(people):
    alice, bob, _ = people
    conv = f.conversation(buyer=bob, seller=alice)
    for i in range(5):
        f.send(conv, bob, f"m{i}")
    api = Api(alice)
    path = f"/conversations/{conv.pk}/read"
    assert api.post(path, {"seq": 3}).json() == {"conversation_id": conv.pk, "last_read_seq": 3}
    assert api.post(path, {"seq": 1}).json()["last_read_seq"] == 3, "never backwards"
    assert api.post(path, {"seq": 99}).json()["last_read_seq"] == 5, "clamped to the last message"
    f.send(conv, bob, "more")
    assert api.post(path, {}).json()["last_read_seq"] == 6, "no seq means everything"
    error_of(api.post(path, {"seq": -1}), 422, "invalid")
    error_of(api.post(path, {"seq": "x"}), 422, "invalid")
    assert Api(alice).get("/me").json()["unread_total"] == 0


@pytest.mark.django_db(transaction=True)
def test_events_since_in_order_and_resync():
    # transaction=True: the long-poll view closes its database connection between reads,
    # which a test wrapped in one transaction cannot survive.
    people = f.user("alice"), f.user("bob"), f.user("carol")
    alice, bob, _ = people
    conv = f.conversation(buyer=bob, seller=alice)
    for i in range(4):
        f.send(conv, bob, f"m{i}")
    api = Api(alice)
    body = api.get("/events", since=0).json()
    assert [e["seq"] for e in body["events"]] == [1, 2, 3, 4]
    assert [e["event"] for e in body["events"]] == ["message.created"] * 4
    assert [e["data"]["message"]["body"] for e in body["events"]] == ["m0", "m1", "m2", "m3"]
    assert (body["cursor"], body["head"], body["resync_required"]) == (4, 4, False)
    body = api.get("/events", since=2, limit=1).json()
    assert [e["seq"] for e in body["events"]] == [3] and body["cursor"] == 3 and body["head"] == 4
    body = api.get("/events", since=4).json()
    assert (body["events"], body["cursor"], body["resync_required"]) == ([], 4, False)
    body = api.get("/events", since=50).json()
    assert (body["events"], body["resync_required"], body["cursor"], body["head"]) == ([], True, 4, 4)
    body = api.get("/events", since=-1).json()
    assert body["resync_required"] is True


def test_api_errors_for_unknown_routes_are_json_or_404(people):
    _, bob, _ = people
    r = Api(bob).get("/conversations/not-a-number")
    assert r.status_code == 404


@pytest.mark.django_db(transaction=True)  # the long-poll view closes its connection between reads
def test_a_single_value_query_parameter_given_twice_is_refused():
    """ninja keeps the last of repeated values, so `?timeout=[…]&timeout=0` was accepted as 0:
    a request that breaks the documented schema must get a clear error instead."""
    api = Api(f.user("alice"))
    assert api.get("/events", since=0, timeout=0).status_code == 200
    refused = api.client.get("/api/v1/events?since=0&timeout=%5B%7B%7D%5D&timeout=0")
    error_of(refused, 422, "invalid")
    error_of(api.client.get("/api/v1/events?since=0&since=1"), 422, "invalid")

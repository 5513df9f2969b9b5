"""Hole 10 (issue 16): errors that left the one shape on /api/v1/.

Every /api/v1/ error is JSON `{"error": {"code", "message", "details"}}` with a code of the
error table (docs/protocol.md): unknown paths and ids the path refuses (404 `not_found`), an
unparsable body (400 `bad_json`), a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413 `too_large`), a
wrong method (405 `method_not_allowed`), a failed CSRF check (403 `csrf_failed`), and ids in
bodies that are not strict integers in range (422 `invalid`).
"""

import uuid

import orjson
import pytest
from django.test import Client

from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limit")]

DOCUMENTED = {"bad_json", "not_found", "too_large", "invalid", "method_not_allowed", "csrf_failed", "unauthenticated",
              "forbidden", "own_listing", "conflict", "rate_limited", "unavailable", "server_error"}


@pytest.fixture
def world():
    alice, bob, carol, conv = f.trio()
    client = Client()
    client.force_login(bob)
    return bob, conv, client


def assert_error(response, status, code):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code, body
    assert body["error"]["code"] in DOCUMENTED
    assert body["error"]["message"] and "Traceback" not in body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]


@pytest.mark.parametrize("path", [
    "/api/v1/conversations/-1", "/api/v1/conversations/0x1", "/api/v1/conversations/1.5", "/api/v1/conversations/abc",
    "/api/v1/conversations/-1/messages", "/api/v1/conversations/%201/read", "/api/v1/nope", "/api/v1/", "/api/v1/me/extra",
    "/api/v1/conversations/9223372036854775808", "/api/v1/conversations/99999999999999999999999/messages",
])
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_every_unknown_path_and_non_matching_id_is_a_json_404(world, path, method):
    _bob, _conv, client = world
    response = client.get(path) if method == "get" else getattr(client, method)(path, data=b"{}", content_type="application/json")
    if response.status_code == 405:  # the path exists (e.g. a huge id matches the converter) but not that method
        assert_error(response, 405, "method_not_allowed")
    elif response.status_code == 422:  # it exists and the body ({}) is checked before access
        assert method == "post" and path.endswith("/messages"), path
        assert_error(response, 422, "invalid")
    else:
        error = assert_error(response, 404, "not_found")
        assert "/api/v1/docs" in error["message"] or error["message"] == "Conversation not found."


def test_a_logged_out_client_gets_the_json_404_too():
    assert_error(Client().get("/api/v1/conversations/-1"), 404, "not_found")


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe", b'{"body": "x",', b"[1, 2", b"nul"])
def test_an_unparsable_body_is_400_bad_json(world, body):
    bob, conv, client = world
    for path in (f"/api/v1/conversations/{conv.pk}/messages", f"/api/v1/conversations/{conv.pk}/read", "/api/v1/conversations"):
        response = client.post(path, data=body, content_type="application/json")
        if body == b"" and path.endswith("/read"):
            continue  # an empty body is the documented "mark everything read"
        if response.status_code == 422:  # an empty body is a missing field, which invalid describes
            assert body == b"", (path, body)
            assert_error(response, 422, "invalid")
        else:
            assert_error(response, 400, "bad_json")


@pytest.mark.parametrize("body", [b"[]", b"5", b'"sold"', b"null", b'[{"status": "sold"}]'])
def test_json_that_is_not_an_object_is_400_bad_json_and_changes_nothing(world, body):
    """Every body is a JSON object. A schema whose fields all have defaults (the listing PATCH,
    the read mark) once read `[]` as "nothing given" and answered 200 (found by schemathesis)."""
    bob, conv, client = world
    seller = f.client_for(conv.listing.seller)
    before = conv.listing.status
    for c, method, path in [(seller, "patch", f"/api/v1/conversations/{conv.pk}/listing"),
                            (client, "post", f"/api/v1/conversations/{conv.pk}/read"),
                            (client, "post", f"/api/v1/conversations/{conv.pk}/messages")]:
        response = getattr(c, method)(path, data=body, content_type="application/json")
        assert_error(response, 400, "bad_json")
    conv.listing.refresh_from_db()
    assert conv.listing.status == before and not conv.messages.exists()


@pytest.mark.parametrize("path", ["/conversations/{id}/messages", "/frames", "/conversations"])
def test_a_body_over_the_upload_limit_is_413_too_large(world, settings, path):
    bob, conv, client = world
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = orjson.dumps({"type": "send", "conversation_id": conv.pk, "body": "x" * 2000, "client_msg_id": str(uuid.uuid4())})
    error = assert_error(client.post("/api/v1" + path.format(id=conv.pk), data=big, content_type="application/json"), 413, "too_large")
    assert error["details"]["limit"] == 1000


def test_a_3_mb_body_is_413_with_the_default_limit(world):
    bob, conv, client = world
    response = client.post(f"/api/v1/conversations/{conv.pk}/messages", data=b"x" * 3_000_000, content_type="application/json")
    assert_error(response, 413, "too_large")


@pytest.mark.parametrize("value", [1.5, "3", "1", True, 1e30, 2**63, -1, 0, None, [1], {"id": 1}, "1e3"])
def test_ids_in_bodies_are_strict_integers_in_range(world, value):
    bob, conv, client = world
    response = client.post("/api/v1/conversations", data=orjson.dumps({"listing_id": value}, option=orjson.OPT_PASSTHROUGH_SUBCLASS)
                           if not isinstance(value, int) or abs(value) < 2**63 else b'{"listing_id": %d}' % value,
                           content_type="application/json")
    error = assert_error(response, 422, "invalid")
    assert "listing_id" in orjson.dumps(error["details"]).decode()


@pytest.mark.parametrize("value", [1.5, "3", True, -1, 2**63])
def test_the_read_marks_seq_is_a_strict_integer_in_range(world, value):
    bob, conv, client = world
    body = b'{"seq": %d}' % value if isinstance(value, int) and not isinstance(value, bool) and value >= 2**63 else orjson.dumps({"seq": value})
    assert_error(client.post(f"/api/v1/conversations/{conv.pk}/read", data=body, content_type="application/json"), 422, "invalid")


def test_a_real_integer_still_works(world):
    bob, conv, client = world
    listing = f.listing(seller=f.user("dave"))
    assert client.post("/api/v1/conversations", data={"listing_id": listing.pk}, content_type="application/json").status_code == 201
    assert client.post(f"/api/v1/conversations/{conv.pk}/read", data={"seq": 0}, content_type="application/json").status_code == 200


@pytest.mark.parametrize(("method", "path"), [("delete", "/api/v1/me"), ("put", "/api/v1/conversations"), ("get", "/api/v1/frames"),
                                              ("patch", "/api/v1/conversations/{id}/messages"), ("get", "/api/v1/conversations/{id}/read")])
def test_a_wrong_method_is_405_in_the_error_shape(world, method, path):
    bob, conv, client = world
    response = getattr(client, method)(path.format(id=conv.pk))
    error = assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] and error["details"]["allowed"]


def test_a_failed_csrf_check_is_403_csrf_failed(world):
    bob, conv, _ = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    response = client.post(f"/api/v1/conversations/{conv.pk}/read", data={}, content_type="application/json")
    error = assert_error(response, 403, "csrf_failed")
    assert "X-CSRFToken" in error["message"]


def test_every_error_status_is_documented_in_the_openapi_responses(db):
    document = Client().get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch"):
                continue
            for status in ("400", "413", "422"):
                assert status in operation["responses"], (method, path, status)

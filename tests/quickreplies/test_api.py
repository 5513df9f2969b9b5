"""/api/v1/quick-replies: list, create, edit, delete; strangers 404; bad input in the one shape."""

import json

import pytest
from django.test import Client

from parley.quickreplies.models import MAX_PER_USER, QuickReply
from tests import factories as f
from tests.api.test_api_v1 import Api, error_of

pytestmark = pytest.mark.usefixtures("no_rate_limit")


def patch(api, reply_id, payload):
    return api.client.patch(f"/api/v1/quick-replies/{reply_id}", json.dumps(payload), content_type="application/json")


@pytest.mark.django_db
def test_list_create_edit_delete():
    alice = f.user("alice")
    api = Api(alice)
    listed = api.get("/quick-replies").json()["quick_replies"]
    assert [r["position"] for r in listed] == [0, 1, 2] and listed[0]["text"] == "Yes, it's still available."
    r = api.post("/quick-replies", {"text": " Cash only. "})
    assert r.status_code == 201, r.content
    made = r.json()["quick_reply"]
    assert made["text"] == "Cash only." and made["position"] == 3 and made["created_at"].endswith("Z")
    r = patch(api, made["id"], {"text": "Cash or card."})
    assert r.status_code == 200 and r.json()["quick_reply"]["text"] == "Cash or card."
    assert api.client.delete(f"/api/v1/quick-replies/{made['id']}").status_code == 204
    assert len(api.get("/quick-replies").json()["quick_replies"]) == 3
    error_of(api.client.delete(f"/api/v1/quick-replies/{made['id']}"), 404, "not_found")


@pytest.mark.django_db
def test_strangers_get_404_and_nothing_changes():
    alice, bob = f.user("alice"), f.user("bob")
    theirs = Api(alice).get("/quick-replies").json()["quick_replies"][0]
    api = Api(bob)
    error_of(patch(api, theirs["id"], {"text": "mine"}), 404, "not_found")
    error_of(api.client.delete(f"/api/v1/quick-replies/{theirs['id']}"), 404, "not_found")
    error_of(patch(api, 2**70, {"text": "mine"}), 404, "not_found")
    assert QuickReply.objects.get(pk=theirs["id"]).text == theirs["text"]


@pytest.mark.django_db
def test_bad_input_and_the_limit_have_the_one_error_shape():
    alice = f.user("alice")
    api = Api(alice)
    assert error_of(api.post("/quick-replies", {"text": "  "}), 422, "invalid")["details"]["field"] == "text"
    error_of(api.post("/quick-replies", {"text": "x" * 501}), 422, "invalid")
    error_of(api.post("/quick-replies", {"text": "nul\x00"}), 422, "invalid")
    error_of(api.post("/quick-replies", {}), 422, "invalid")
    for _ in range(MAX_PER_USER - 3):
        assert api.post("/quick-replies", {"text": "more"}).status_code == 201
    error_of(api.post("/quick-replies", {"text": "one too many"}), 409, "too_many_quick_replies")


@pytest.mark.django_db
def test_quick_replies_need_log_in_and_csrf():
    alice = f.user("alice")
    error_of(Client().get("/api/v1/quick-replies"), 401, "unauthenticated")
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(alice)
    r = csrf.post("/api/v1/quick-replies", {"text": "hi"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    assert not QuickReply.objects.filter(text="hi").exists()

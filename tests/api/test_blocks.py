"""/api/v1/blocks: list, block and unblock over REST, through the same access check and services."""

import pytest
from django.test import Client

from parley.safety.models import Block
from tests import factories as f
from tests.api.test_api_v1 import Api, error_of

pytestmark = pytest.mark.usefixtures("no_rate_limit")


@pytest.fixture
def trio(db):
    return f.trio()


def test_block_list_and_unblock(trio):
    alice, bob, _carol, conv = trio
    api = Api(alice)
    assert api.get("/blocks").json() == {"blocks": []}
    r = api.post("/blocks", {"user_id": bob.pk})
    assert r.status_code == 201, r.content
    assert r.json()["block"]["user"]["id"] == bob.pk and r.json()["block"]["created_at"].endswith("Z")
    again = api.post("/blocks", {"user_id": bob.pk})
    assert again.status_code == 200 and again.json() == r.json(), "blocking twice is a retry"
    assert [b["user"]["username"] for b in api.get("/blocks").json()["blocks"]] == ["bob"]
    # Bob is refused with the documented error, by the API and by the frames alike.
    error_of(Api(bob).send(conv.pk), 403, "blocked")
    r = api.client.delete(f"/api/v1/blocks/{bob.pk}")
    assert r.status_code == 204 and not Block.objects.exists()
    assert api.client.delete(f"/api/v1/blocks/{bob.pk}").status_code == 204, "unblocking twice is a retry"
    assert Api(bob).send(conv.pk).status_code == 201


def test_strangers_and_bad_ids_get_the_one_shape(trio):
    alice, _bob, carol, _conv = trio
    api = Api(alice)
    missing = error_of(api.post("/blocks", {"user_id": 10**9}), 404, "not_found")
    stranger = error_of(api.post("/blocks", {"user_id": carol.pk}), 404, "not_found")
    assert missing == stranger, "a stranger looks exactly like someone who does not exist"
    error_of(api.client.delete(f"/api/v1/blocks/{carol.pk}"), 404, "not_found")
    error_of(api.client.delete("/api/v1/blocks/-1"), 404, "not_found")
    for bad in ("2", 1.5, None, 2**63):
        error_of(api.post("/blocks", {"user_id": bad}), 422 if bad is not None else 422, "invalid")
    assert not Block.objects.exists()


def test_blocks_need_log_in_and_csrf(trio):
    alice, bob, _carol, _conv = trio
    assert Client().get("/api/v1/blocks").status_code == 401
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(alice)
    r = csrf.post("/api/v1/blocks", {"user_id": bob.pk}, content_type="application/json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    assert not Block.objects.exists()


def test_ids_past_the_databases_range_are_404_not_500(trio):
    """Found by schemathesis (tests/fuzz/): a path id of 2^63 or more made the query overflow."""
    alice, _bob, _carol, _conv = trio
    api = Api(alice)
    for huge in (2**63, 76230499658397070994756861952):
        error_of(api.client.delete(f"/api/v1/blocks/{huge}"), 404, "not_found")
        error_of(api.client.delete(f"/api/v1/devices/{huge}"), 404, "not_found")
        error_of(api.get(f"/conversations/{huge}"), 404, "not_found")

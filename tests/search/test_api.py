"""GET /api/v1/search and the messages page `around=seq` a result opens."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(no_rate_limit):
    alice, bob, carol, conv = f.trio()
    msgs = [f.send(conv, bob if i % 2 else alice, f"message {i} {'vélo' if i == 40 else 'rien'}") for i in range(60)]
    return alice, bob, carol, conv, msgs


def test_search_finds_highlights_and_pages(pair):
    _alice, bob, _carol, conv, msgs = pair
    r = f.client_for(bob).get("/api/v1/search", {"q": "VELO"})
    assert r.status_code == 200
    data = r.json()
    [hit] = data["results"]
    assert hit["message"] == {"id": msgs[40].pk, "seq": 41, "sender_id": msgs[40].sender_id, "created_at": hit["message"]["created_at"]}
    assert hit["conversation"]["id"] == conv.pk
    assert [p["text"] for p in hit["parts"] if p["mark"]] == ["vélo"]
    r = f.client_for(bob).get("/api/v1/search", {"q": "rien", "limit": 50})
    assert len(r.json()["results"]) == 50 and r.json()["next_before"]
    r = f.client_for(bob).get("/api/v1/search", {"q": "rien", "before": r.json()["next_before"]})
    assert len(r.json()["results"]) == 9 and r.json()["next_before"] is None


@pytest.mark.parametrize(("params", "code"), [
    ({}, "query_empty"), ({"q": ""}, "query_empty"), ({"q": "é" * 1000}, "query_too_long"),
    ({"q": 'velo"'}, "query_syntax"), ({"q": "vel*"}, "query_syntax"), ({"q": "a NEAR b"}, "query_syntax"),
    ({"q": "body:x"}, "query_syntax"), ({"q": "velo", "before": "%%%"}, "bad_cursor"),
    ({"q": "velo", "before": "bS05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ"}, "bad_cursor"),
])
def test_bad_input_is_400_with_a_code(pair, params, code):
    r = f.client_for(pair[1]).get("/api/v1/search", params)
    assert r.status_code == 400, r.content
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]


def test_a_stranger_finds_nothing_and_the_logged_out_get_401(pair):
    _alice, _bob, carol, _conv, _msgs = pair
    r = f.client_for(carol).get("/api/v1/search", {"q": "velo"})
    assert r.json()["results"] == [] and r.json()["conversations"] == []
    from django.test import Client

    assert Client().get("/api/v1/search", {"q": "velo"}).status_code == 401


def test_messages_around_a_seq(pair):
    _alice, bob, carol, conv, msgs = pair
    r = f.client_for(bob).get(f"/api/v1/conversations/{conv.pk}/messages", {"around": 41, "limit": 10})
    assert r.status_code == 200
    data = r.json()
    assert [m["seq"] for m in data["messages"]] == list(range(35, 45))
    assert data["has_more"] is True and data["next_before"] == 35 and data["has_newer"] is True
    r = f.client_for(bob).get(f"/api/v1/conversations/{conv.pk}/messages", {"around": 59, "limit": 10})
    assert [m["seq"] for m in r.json()["messages"]] == list(range(51, 61)) and r.json()["has_newer"] is False
    assert f.client_for(carol).get(f"/api/v1/conversations/{conv.pk}/messages", {"around": 41}).status_code == 404
    r = f.client_for(bob).get(f"/api/v1/conversations/{conv.pk}/messages", {"around": 41, "before": 30})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"

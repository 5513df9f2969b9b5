"""GET /api/v1/events as a long-poll: at once with events, otherwise woken by the doorbell."""

import threading
import time
import uuid

from tests.support.protocol_client import open_conversation


def _head(client) -> int:
    return client.get("/api/v1/events", params={"since": 0, "limit": 1}).json()["head"]


def test_events_answer_at_once_when_the_stream_has_some(live_server_proc):
    bob, alice = live_server_proc.login("bob"), live_server_proc.login("alice")
    conv = open_conversation(live_server_proc.base_url, bob, "alice")
    since = _head(alice)
    assert bob.post(f"/api/v1/conversations/{conv}/messages", json={"body": "hi", "client_msg_id": str(uuid.uuid4())}).status_code == 201
    started = time.monotonic()
    r = alice.get("/api/v1/events", params={"since": since, "timeout": 25})
    assert time.monotonic() - started < 3
    body = r.json()
    assert r.status_code == 200 and set(body) == {"events", "cursor", "head", "resync_required"}
    assert [e["event"] for e in body["events"]] == ["message.created"]
    assert body["cursor"] == body["head"] == since + 1 and body["resync_required"] is False


def test_events_wait_then_time_out_empty(live_server_proc):
    alice = live_server_proc.login("alice")
    since = _head(alice)
    started = time.monotonic()
    r = alice.get("/api/v1/events", params={"since": since, "timeout": 1.5})
    elapsed = time.monotonic() - started
    assert 1.3 < elapsed < 5, elapsed
    assert r.json() == {"events": [], "cursor": since, "head": since, "resync_required": False}


def test_a_waiting_poll_is_woken_by_a_send(live_server_proc):
    bob, alice = live_server_proc.login("bob"), live_server_proc.login("alice")
    conv = open_conversation(live_server_proc.base_url, bob, "alice")
    since = _head(alice)
    result = {}

    def poll():
        started = time.monotonic()
        result["response"] = alice.get("/api/v1/events", params={"since": since, "timeout": 20}, timeout=30)
        result["elapsed"] = time.monotonic() - started

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(1.0)  # the poll is waiting now
    assert "response" not in result
    cmid = str(uuid.uuid4())
    bob.post(f"/api/v1/conversations/{conv}/messages", json={"body": "wake up", "client_msg_id": cmid})
    t.join(25)
    assert not t.is_alive()
    assert result["elapsed"] < 5, "woken by the doorbell, not by the timeout"
    events = result["response"].json()["events"]
    assert [e["data"]["message"]["client_msg_id"] for e in events] == [cmid]


def test_timeout_is_capped_and_errors_keep_the_shape(live_server_proc):
    anon = live_server_proc.client()
    r = anon.get("/api/v1/events", params={"since": 0, "timeout": 25})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    alice = live_server_proc.login("alice")
    r = alice.get("/api/v1/events", params={"since": "x"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    # A cursor ahead of the head is not this stream's: reload.
    r = alice.get("/api/v1/events", params={"since": 10**9, "timeout": 25})
    assert r.status_code == 200 and r.json()["resync_required"] is True

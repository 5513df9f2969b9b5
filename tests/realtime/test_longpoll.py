"""GET /api/v1/events as a long-poll: at once with events, otherwise woken by the doorbell.

The wake-up test runs in-process over ASGI, so it can see the poll register in the hub
(hub.waiter_count()) instead of sleeping and hoping the poll is waiting by then.
"""

import asyncio
import time
import uuid

import pytest
from asgiref.sync import sync_to_async

from parley.stream.hub import hub
from parley.stream.signals import signal
from tests import factories as f
from tests.support.asgi import ASGIHarness, run, until
from tests.support.protocol_client import open_conversation

in_thread = sync_to_async


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


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_broker", "fresh_batchers")
def test_a_waiting_long_poll_is_woken_by_a_send_and_not_by_a_signal():
    alice, bob, _carol, conv = f.trio()

    async def go():
        async with ASGIHarness() as h:
            cookie = await h.login(alice)
            watcher = await h.ws(cookie=cookie)
            since = watcher.ready["cursor"]
            started = time.monotonic()
            poll = asyncio.create_task(h.http("GET", "/api/v1/events", query=f"since={since}&timeout=20",
                                              cookie=cookie, timeout=30))
            await until(lambda: hub.waiter_count() == 1, what="the poll to wait in the hub")
            await in_thread(signal)([alice.pk], "typing", {})
            await watcher.until(lambda fr: fr.get("type") == "signal")  # delivered to alice's process
            await asyncio.sleep(0)
            assert not poll.done() and hub.waiter_count() == 1, "a signal does not wake a long-poll"
            cmid = str(uuid.uuid4())
            await in_thread(f.send)(conv, bob, "wake up", cmid)
            status, body = await poll
            assert time.monotonic() - started < 10, "woken by the doorbell, not the timeout"
            assert status == 200, (status, body)
            assert body["resync_required"] is False
            assert [e["data"]["message"]["client_msg_id"] for e in body["events"]] == [cmid]
            assert body["cursor"] == body["head"] == since + 1
            assert hub.waiter_count() == 0

    run(go())


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

"""Retention: pruning old stream events, and resync_required for a cursor behind them."""

import asyncio
import subprocess
import sys
import uuid
from datetime import timedelta

import orjson
import pytest
import websockets
from django.core.management import call_command
from django.utils import timezone

from parley.stream.models import StreamEvent, UserStream
from parley.stream.read import stream_since
from parley.stream.retention import stream_prune
from parley.stream.tasks import prune_streams
from tests import factories as f
from tests.support.live import ROOT, LiveServer
from tests.support.protocol_client import open_conversation


def _age(user, seqs, days):
    StreamEvent.objects.filter(user=user, seq__in=seqs).update(created_at=timezone.now() - timedelta(days=days))


@pytest.mark.django_db
def test_prune_deletes_old_events_and_moves_pruned_through(no_rate_limit):
    alice, bob, _carol, conv = f.trio()
    for i in range(5):
        f.send(conv, bob, f"m{i}")
    assert list(StreamEvent.objects.filter(user=alice).values_list("seq", flat=True).order_by("seq")) == [1, 2, 3, 4, 5]
    _age(alice, [1, 2, 3], days=30)

    deleted = stream_prune(older_than=timezone.now() - timedelta(days=14))

    assert deleted == 3
    assert list(StreamEvent.objects.filter(user=alice).values_list("seq", flat=True).order_by("seq")) == [4, 5]
    assert UserStream.objects.get(user=alice).pruned_through == 3
    assert UserStream.objects.get(user=bob).pruned_through == 0  # bob's events are recent
    # A cursor behind the pruned events must reload; one at or past them reads on as usual.
    assert stream_since(user=alice, since=2) == ([], 5, True)
    found, head, resync = stream_since(user=alice, since=3)
    assert [e.seq for e in found] == [4, 5] and head == 5 and not resync
    # Pruning again changes nothing, and never moves pruned_through back.
    assert stream_prune(older_than=timezone.now() - timedelta(days=14)) == 0
    assert UserStream.objects.get(user=alice).pruned_through == 3


@pytest.mark.django_db
def test_prune_everything_keeps_the_head_usable(no_rate_limit):
    alice, bob, _carol, conv = f.trio()
    f.send(conv, bob, "old")
    _age(alice, [1], days=30)
    stream_prune(older_than=timezone.now() - timedelta(days=14))
    assert stream_since(user=alice, since=1) == ([], 1, False)  # up to date: nothing to reload
    assert stream_since(user=alice, since=0)[2] is True
    f.send(conv, bob, "new")
    assert [e.seq for e in stream_since(user=alice, since=1)[0]] == [2]


@pytest.mark.django_db
def test_task_and_command_use_the_retention_setting(no_rate_limit, settings, capsys):
    alice, bob, _carol, conv = f.trio()
    f.send(conv, bob, "a")
    f.send(conv, bob, "b")
    _age(alice, [1], days=20)
    settings.PARLEY_STREAM_RETENTION_DAYS = 30
    assert prune_streams.enqueue().return_value == 0  # ImmediateBackend in tests
    settings.PARLEY_STREAM_RETENTION_DAYS = 14
    assert prune_streams.enqueue().return_value == 1
    _age(alice, [2], days=3)
    call_command("parley_prune_streams", "--days", "2")
    assert "Pruned 1 stream events" in capsys.readouterr().out
    assert UserStream.objects.get(user=alice).pruned_through == 2


def test_a_cursor_behind_retention_gets_resync_required_over_ws_and_http(tmp_path):
    """End to end: the command prunes a live server's database; both transports say reload."""
    server = LiveServer(workdir=tmp_path).start()
    try:
        bob, alice = server.login("bob"), server.login("alice")
        conv = open_conversation(server.base_url, bob, "alice")
        for i in range(3):
            assert bob.post(f"/api/v1/conversations/{conv}/messages",
                            json={"body": f"m{i}", "client_msg_id": str(uuid.uuid4())}).status_code == 201
        head = alice.get("/api/v1/events").json()["head"]
        assert head >= 3
        subprocess.run([sys.executable, "-m", "parley", "manage", "parley_prune_streams", "--days", "0"],
                       cwd=ROOT, env=server.env, check=True, timeout=60, capture_output=True)

        r = alice.get("/api/v1/events", params={"since": 1, "timeout": 10})
        assert r.status_code == 200
        assert r.json() == {"events": [], "cursor": head, "head": head, "resync_required": True}
        r = alice.get("/api/v1/events", params={"since": head})
        assert r.json()["resync_required"] is False  # an up-to-date client is unaffected

        async def ws_sync():
            async with websockets.connect(server.ws_url, additional_headers=server.ws_headers(alice),
                                          origin=server.base_url) as ws:
                assert orjson.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "ready"
                await ws.send(orjson.dumps({"type": "sync", "since": 1, "id": 1}).decode())
                return orjson.loads(await asyncio.wait_for(ws.recv(), 5))

        assert asyncio.run(ws_sync()) == {"type": "resync_required", "cursor": head, "id": 1}
    finally:
        server.stop()

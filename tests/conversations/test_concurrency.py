"""Concurrent senders: per-conversation and per-user seqs stay 1..N, each exactly once.

The in-process test runs on whatever database the test run uses (SQLite file in WAL
mode by default, PostgreSQL with DATABASE_URL). The `postgres` test also drives a real
server on a fresh PostgreSQL database over HTTP from the SQLite run.
"""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from parley.conversations import services
from parley.conversations.models import Conversation, Message
from parley.stream.models import StreamEvent, UserStream
from tests import factories as f
from tests.support.live import LiveServer, drop_postgres_database, fresh_postgres_url
from tests.support.protocol_client import api_messages
from tests.support.services import PG_URL

THREADS = 8
PER_THREAD = 25


def _race(work) -> list:
    """Run work(i, start) in THREADS threads and return the results in thread order.

    Each thread prepares, then calls start(), which waits until every thread is there, so
    the interesting part runs at once in all of them. Each closes its database connection.
    """
    barrier = threading.Barrier(THREADS, timeout=30)

    def worker(i: int):
        try:
            return work(i, barrier.wait)
        finally:
            connection.close()

    with ThreadPoolExecutor(THREADS) as pool:
        return [fut.result(timeout=90) for fut in [pool.submit(worker, i) for i in range(THREADS)]]


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_keep_seqs_gap_free(no_rate_limit):
    alice, bob, _carol, conv = f.trio()
    per_thread = 10

    def work(i: int, start) -> list[int]:
        sender = alice if i % 2 else bob
        mine = Conversation.objects.get(pk=conv.pk)
        start()
        seqs = []
        for j in range(per_thread):
            message, created = services.message_send(
                sender=sender, conversation=mine, body=f"t{i} m{j}", client_msg_id=uuid.uuid4()
            )
            assert created
            seqs.append(message.seq)
        return seqs

    results = _race(work)

    total = THREADS * per_thread
    for seqs in results:
        assert seqs == sorted(seqs), "one thread's messages are ordered as it sent them"
    assert sorted(s for seqs in results for s in seqs) == list(range(1, total + 1))
    assert sorted(Message.objects.filter(conversation=conv).values_list("seq", flat=True)) == list(range(1, total + 1))
    assert Conversation.objects.get(pk=conv.pk).last_seq == total
    for user, before in ((alice, 0), (bob, 1)):  # bob's stream begins with his conversation.started
        events = list(StreamEvent.objects.filter(user=user).order_by("seq").values_list("seq", "type", "payload"))
        assert [s for s, _t, _p in events] == list(range(1, total + before + 1)), "stream seqs gap-free and unique"
        assert sorted(p["message"]["seq"] for _s, t, p in events if t == "message.created") == list(range(1, total + 1))
        assert UserStream.objects.get(user=user).last_seq == total + before


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_send_make_one_message(no_rate_limit):
    _alice, bob, _carol, conv = f.trio()
    cmid = uuid.uuid4()

    def work(_i, start):
        mine = Conversation.objects.get(pk=conv.pk)
        start()
        message, created = services.message_send(sender=bob, conversation=mine, body="once", client_msg_id=cmid)
        return message.pk, created

    results = _race(work)
    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Message.objects.filter(conversation=conv).count() == 1
    assert StreamEvent.objects.filter(user=bob, type="message.created").count() == 1


def _listing_conversation(bob) -> int:
    """As bob, open a conversation about one of alice's demo listings; return its id."""
    for listing_id in range(1, 20):
        r = bob.post("/api/v1/conversations", json={"listing_id": listing_id})
        if r.status_code in (200, 201) and r.json()["conversation"]["other"]["username"] == "alice":
            return r.json()["conversation"]["id"]
    raise AssertionError("no listing of alice's found in the demo data")


def _all_events(client) -> list[dict]:
    events, since = [], 0
    for _ in range(100):
        r = client.get("/api/v1/events", params={"since": since})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["resync_required"] is False
        events += body["events"]
        if not body["events"] or body["cursor"] >= body["head"]:
            return events
        since = body["cursor"]
    raise AssertionError("event paging did not end")


@pytest.mark.postgres
def test_concurrent_http_sends_on_postgres(require_postgres, tmp_path):
    url = fresh_postgres_url(PG_URL)
    server = LiveServer(database_url=url, workdir=tmp_path)
    try:
        server.start()
        alice, bob = server.login("alice"), server.login("bob")
        conversation_id = _listing_conversation(bob)
        clients = [server.login("alice" if i % 2 else "bob") for i in range(THREADS)]
        barrier = threading.Barrier(THREADS, timeout=30)

        def worker(i: int) -> list[int]:
            client = clients[i]
            barrier.wait()
            seqs = []
            for j in range(PER_THREAD):
                r = client.post(
                    f"/api/v1/conversations/{conversation_id}/messages",
                    json={"body": f"t{i} m{j}", "client_msg_id": str(uuid.uuid4())},
                )
                assert r.status_code == 201, r.text
                seqs.append(r.json()["message"]["seq"])
            return seqs

        with ThreadPoolExecutor(THREADS) as pool:
            results = [fut.result(timeout=100) for fut in [pool.submit(worker, i) for i in range(THREADS)]]
        total = THREADS * PER_THREAD
        assert sorted(s for seqs in results for s in seqs) == list(range(1, total + 1))
        for seqs in results:
            assert seqs == sorted(seqs)

        messages = api_messages(bob, conversation_id)
        assert [m["seq"] for m in messages] == list(range(1, total + 1))
        for client in (alice, bob):
            events = _all_events(client)
            created = [e for e in events if e["event"] == "message.created"]
            assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), "stream seqs gap-free, each once"
            assert sorted(e["data"]["message"]["seq"] for e in created) == list(range(1, total + 1))
        for c in [alice, bob, *clients]:
            c.close()
    finally:
        server.stop()
        drop_postgres_database(url)


@pytest.mark.django_db(transaction=True)
def test_concurrent_contact_seller_clicks_make_one_conversation():
    from parley.conversations.models import Participant

    alice, bob = f.user(), f.user()
    item = f.listing(seller=alice)

    def work(_i, start):
        start()
        conv, created = services.conversation_start(buyer=bob, listing=item)
        return conv.pk, created

    results = _race(work)
    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Conversation.objects.count() == 1 and Participant.objects.count() == 2

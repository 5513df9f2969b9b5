"""Two server processes on one PostgreSQL and one Redis: delivery across them, and a SIGKILL."""

import asyncio
import threading
import time
import uuid

import pytest

from tests.support.protocol_client import api_messages, bob_asks_alice, connected, same_messages, until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(300)]


def test_messages_cross_processes_in_order_each_once(two_servers):
    a, b = two_servers
    bob_http, alice_http, conv = bob_asks_alice(a, b)

    async def scenario():
        bob, alice = await connected((a, bob_http), (b, alice_http))
        try:
            for sender, receiver, tag in ((alice, bob, "B->A"), (bob, alice, "A->B")):
                # The receiver's own earlier sends come back to it as pushes too: let them all
                # land before counting, or the last one is counted in this round.
                so_far = len(api_messages(bob_http, conv))
                assert await until(lambda: len(receiver.view(conv)) == so_far, 20)
                pushed_before, hints_before = receiver.pushed, receiver.hints
                for i in range(100):
                    ack = await sender.send(conv, f"{tag} {i}")
                    assert ack["type"] == "ack" and ack["created"], ack
                want = [m for m in api_messages(bob_http, conv)]
                assert await until(lambda: len(receiver.view(conv)) == len(want), 20), (len(receiver.view(conv)), len(want))
                assert receiver.pushed - pushed_before == 100, "every message arrived live, by push"
                assert receiver.hints == hints_before and not receiver.duplicates
                assert same_messages(receiver.view(conv), want)
                assert [m["body"] for m in receiver.view(conv)[-100:]] == [f"{tag} {i}" for i in range(100)]
        finally:
            await bob.disconnect()
            await alice.disconnect()

    asyncio.run(asyncio.wait_for(scenario(), 120))


def test_a_long_poll_on_one_process_wakes_for_a_send_on_the_other(two_servers):
    a, b = two_servers
    bob_http, alice_on_a, conv = bob_asks_alice(b, a)
    since = alice_on_a.get("/api/v1/events").json()["head"]
    result = {}

    def poll():
        started = time.monotonic()
        result["body"] = alice_on_a.get("/api/v1/events", params={"since": since, "timeout": 20}, timeout=30).json()
        result["elapsed"] = time.monotonic() - started

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(1.0)
    cmid = str(uuid.uuid4())
    assert bob_http.post(f"/api/v1/conversations/{conv}/messages", json={"body": "via B", "client_msg_id": cmid}).status_code == 201
    t.join(25)
    assert result["elapsed"] < 5
    assert [e["data"]["message"]["client_msg_id"] for e in result["body"]["events"]] == [cmid]


def test_sigkill_one_process_mid_traffic_loses_and_duplicates_nothing(two_servers):
    a, b = two_servers
    bob_http, alice_http, conv = bob_asks_alice(a, a)
    total, window = 200, 4
    cmids = [str(uuid.uuid4()) for _ in range(total)]
    acked: dict[int, dict] = {}
    retried: set[int] = set()

    async def scenario():
        alice, bob = await connected((a, alice_http), (a, bob_http))
        reconnect_lock = asyncio.Lock()
        killed = asyncio.Event()

        async def ensure(client):
            """The load balancer sends reconnects to the survivor."""
            async with reconnect_lock:
                for _ in range(50):
                    if client.connected:
                        return
                    try:
                        await client.connect(b.ws_url, timeout=5)
                    except (OSError, asyncio.TimeoutError, ConnectionError, Exception):
                        await asyncio.sleep(0.2)
                raise AssertionError("could not reconnect to the survivor")

        async def send_one(i):
            for attempt in range(30):
                try:
                    if not alice.connected:
                        await ensure(alice)
                    ack = await alice.send(conv, f"m{i}", cmids[i], timeout=5)
                    if ack.get("type") == "error" and ack.get("code") == "unavailable":
                        raise ConnectionError("unavailable")
                    assert ack["type"] == "ack", ack
                    acked[i] = ack
                    return
                except (ConnectionError, asyncio.TimeoutError):
                    retried.add(i)
                    await asyncio.sleep(0.1)
            raise AssertionError(f"message {i} was never acknowledged")

        async def killer():
            await until(lambda: len(acked) >= total // 2, 60)
            await asyncio.to_thread(a.stop, True)  # SIGKILL
            killed.set()

        async def bob_follows():
            while not (len(acked) == total and killed.is_set()):
                if not bob.connected:
                    await ensure(bob)
                await asyncio.sleep(0.05)

        sem = asyncio.Semaphore(window)

        async def limited(i):
            async with sem:
                await send_one(i)

        kill_task = asyncio.create_task(killer())
        follow = asyncio.create_task(bob_follows())
        await asyncio.gather(*(limited(i) for i in range(total)))
        await kill_task
        await asyncio.wait_for(follow, 30)
        await ensure(alice)
        await alice.sync()
        await bob.sync()
        try:
            db = api_messages(b.login("bob"), conv)
            assert sorted(m["client_msg_id"] for m in db) == sorted(cmids), "exactly the acknowledged sends"
            assert [m["seq"] for m in db] == list(range(db[0]["seq"], db[0]["seq"] + len(db)))
            assert {acked[i]["message"]["id"] for i in range(total)} == {m["id"] for m in db}
            for client in (alice, bob):
                assert not client.duplicates
                assert same_messages(client.view(conv), db)
                assert client.applied == list(range(client.applied[0], client.applied[0] + len(client.applied)))
        finally:
            await alice.disconnect()
            await bob.disconnect()

    asyncio.run(asyncio.wait_for(scenario(), 200))
    assert retried, "the kill happened mid-traffic, so some sends were retried"

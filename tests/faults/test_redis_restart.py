"""Redis restarted mid-traffic: sends keep working, nothing is lost, live delivery comes back."""

import asyncio

import httpx
import pytest

from tests.support.protocol_client import api_messages, bob_asks_alice, connected, same_messages, until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(300)]


def _health(server) -> tuple[int, dict]:
    r = httpx.get(server.base_url + "/healthz", timeout=5)
    return r.status_code, r.json()


def test_redis_restart_loses_nothing_and_live_delivery_resumes(two_servers, private_redis):
    a, b = two_servers
    bob_http, alice_http, conv = bob_asks_alice(a, b)

    async def scenario():
        bob, alice = await connected((a, bob_http), (b, alice_http))
        try:
            for i in range(90):
                if i == 30:
                    await asyncio.to_thread(private_redis.stop)
                    # The operator sees it: both processes report the broker degraded, and
                    # stay ready (200), since sending still works.
                    assert await until(lambda: _health(a)[1]["broker"]["status"] == "degraded"
                                       and _health(b)[1]["broker"]["status"] == "degraded", 15)
                    status, body = _health(a)
                    assert status == 200 and body["database"] == "ok"
                if i == 60:
                    await asyncio.to_thread(private_redis.start)
                ack = await alice.send(conv, f"m{i}")  # sending never depends on Redis
                assert ack["type"] == "ack" and ack["created"], ack
                await asyncio.sleep(0.02)

            # Without any help from the test, bob's socket catches up (sync_hint + gap sync).
            db = api_messages(bob_http, conv)
            assert await until(lambda: same_messages(bob.view(conv), db), 30), (len(bob.view(conv)), len(db))
            assert bob.hints >= 1, "the server told the open socket to sync after the outage"
            assert await until(lambda: _health(a)[1]["broker"]["status"] == "ok"
                               and _health(b)[1]["broker"]["status"] == "ok", 20)

            # And live delivery is back: new messages arrive by push.
            pushed = bob.pushed
            for i in range(10):
                await alice.send(conv, f"after {i}")
            db = api_messages(bob_http, conv)
            assert await until(lambda: same_messages(bob.view(conv), db), 15)
            assert bob.pushed - pushed == 10
            assert not bob.duplicates and not alice.duplicates
            await alice.sync()
            assert same_messages(alice.view(conv), db)
        finally:
            await bob.disconnect()
            await alice.disconnect()

    asyncio.run(asyncio.wait_for(scenario(), 200))
    # One warning when it went, one when it came back: no storm of errors.
    for server in (a, b):
        log = server.log()
        assert log.count("Redis subscription failed") == 1, log
        assert log.count("Redis subscription recovered") == 1, log
        assert log.count("Redis publish failed") <= 1, log

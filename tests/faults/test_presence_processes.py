"""Presence and typing across two server processes on one PostgreSQL and one Redis, and a
SIGKILL of the process holding the socket: the other process's view goes offline within
about 1.3 x PARLEY_PRESENCE_TTL (3 s here), never a stale "online"."""

import asyncio
import time

import orjson
import pytest
import websockets

from tests.support.live import LiveServer
from tests.support.protocol_client import bob_asks_alice
from tests.support.schema_check import check_frame

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(180)]

TTL = 3


@pytest.fixture
def two_quick_servers(pg_database, private_redis, tmp_path):
    env = {"REDIS_URL": private_redis.url, "PARLEY_PRESENCE_TTL": str(TTL), "PARLEY_PRESENCE_GRACE": "0.2"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = LiveServer(database_url=pg_database, env=env, workdir=tmp_path / "a").start()
    b = LiveServer(database_url=pg_database, env=env, workdir=tmp_path / "b").start()
    yield a, b
    a.stop()
    b.stop()


class Socket:
    """A raw socket that keeps every frame it reads."""

    def __init__(self, server, http):
        self.server, self.http = server, http
        self.frames: list[dict] = []
        self.ids = iter(range(1, 10**6))

    async def open(self) -> "Socket":
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.ws = await websockets.connect(self.server.ws_url, additional_headers={"Cookie": cookie},
                                           origin=self.server.base_url, open_timeout=10)
        self.reader = asyncio.create_task(self._read())
        await self.wait(lambda fr: fr["type"] == "ready")
        return self

    async def _read(self):
        try:
            async for raw in self.ws:
                self.frames.append(check_frame(orjson.loads(raw)))
        except (websockets.ConnectionClosed, OSError):
            pass

    async def request(self, frame: dict) -> dict:
        ref = next(self.ids)
        await self.ws.send(orjson.dumps({**frame, "id": ref}).decode())
        return await self.wait(lambda fr: fr.get("id") == ref)

    async def wait(self, predicate, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for fr in self.frames:
                if predicate(fr):
                    return fr
            await asyncio.sleep(0.02)
        raise AssertionError(f"no such frame in {timeout}s; got {self.frames[-5:]}")

    def signals(self, name: str) -> list[dict]:
        return [fr["data"] for fr in self.frames if fr["type"] == "signal" and fr["signal"] == name]

    async def close(self):
        await self.ws.close()
        self.reader.cancel()


def test_presence_and_typing_cross_processes_and_survive_a_sigkill(two_quick_servers):
    a, b = two_quick_servers
    bob_http, alice_http, conv = bob_asks_alice(a, b)
    bob_id = bob_http.get("/api/v1/me").json()["user"]["id"]

    async def scenario():
        alice = await Socket(b, alice_http).open()
        reply = await alice.request({"type": "presence", "user_id": bob_id})
        assert reply["type"] == "presence" and reply["online"] is False

        # Bob connects on process A: alice, on B, is told at once.
        bob = await Socket(a, bob_http).open()
        await alice.wait(lambda fr: fr["type"] == "signal" and fr["signal"] == "presence" and fr["data"]["online"])
        assert (await alice.request({"type": "presence", "user_id": bob_id}))["online"] is True

        # His typing crosses processes through the broker.
        assert (await bob.request({"type": "typing", "conversation_id": conv}))["type"] == "ack"
        typing = await alice.wait(lambda fr: fr["type"] == "signal" and fr["signal"] == "typing")
        assert typing["data"] == {"conversation_id": conv, "user_id": bob_id, "active": True}

        # Heartbeats keep him online past several TTLs.
        await asyncio.sleep(TTL * 2)
        assert [s["online"] for s in alice.signals("presence")] == [True], "no flicker while alive"

        # Process A dies with bob's socket: B reaps his entry and tells alice.
        killed_at = time.monotonic()
        await asyncio.to_thread(a.stop, True)
        gone = await alice.wait(
            lambda fr: fr["type"] == "signal" and fr["signal"] == "presence" and not fr["data"]["online"], timeout=TTL * 3)
        took = time.monotonic() - killed_at
        assert took < TTL * 1.4 + 1.5, f"offline after {took:.1f}s"
        assert gone["data"]["last_seen_at"], gone
        reply = await alice.request({"type": "presence", "user_id": bob_id})
        assert reply["online"] is False and reply["last_seen_at"], reply
        await alice.close()

    asyncio.run(asyncio.wait_for(scenario(), 120))

"""The database stopped: clear 503s and error frames, then recovery by itself, each send once."""

import asyncio
import uuid

import httpx
import pytest

from tests.support.live import LiveServer
from tests.support.protocol_client import api_messages, bob_asks_alice, connected, same_messages, until

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]


def test_database_stopped_then_back(pg_cluster, tmp_path):
    server = LiveServer(database_url=pg_cluster.url, workdir=tmp_path).start()
    try:
        bob_http, alice_http, conv = bob_asks_alice(server, server)
        api_cmid, ws_cmid = str(uuid.uuid4()), str(uuid.uuid4())

        async def scenario():
            bob, alice = await connected((server, bob_http), (server, alice_http))
            try:
                assert (await alice.send(conv, "before"))["type"] == "ack"
                await asyncio.to_thread(pg_cluster.stop)

                # The API: 503 with the one error shape.
                r = await asyncio.to_thread(
                    bob_http.post, f"/api/v1/conversations/{conv}/messages", json={"body": "api", "client_msg_id": api_cmid}
                )
                assert r.status_code == 503, r.text
                assert r.json()["error"]["code"] == "unavailable" and r.json()["error"]["message"]
                r = await asyncio.to_thread(bob_http.get, "/api/v1/events", params={"since": 0, "timeout": 5})
                assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable"

                # The socket: an error frame, and the socket stays open.
                reply = await alice.send(conv, "ws", ws_cmid)
                assert reply["type"] == "error" and reply["code"] == "unavailable", reply
                assert alice.connected
                health = await asyncio.to_thread(httpx.get, server.base_url + "/healthz", timeout=10)
                assert health.status_code == 503 and health.json()["database"].startswith("down")

                await asyncio.to_thread(pg_cluster.start)
                await asyncio.to_thread(pg_cluster.wait_ready)

                # The clients kept their unsent messages and send them again, same client_msg_id.
                async def resend_ws():
                    for _ in range(50):
                        reply = await alice.send(conv, "ws", ws_cmid)
                        if reply["type"] == "ack":
                            return reply
                        assert reply["code"] == "unavailable", reply
                        await asyncio.sleep(0.2)
                    raise AssertionError("the socket never recovered")

                assert (await resend_ws())["created"] is True
                assert (await alice.send(conv, "ws", ws_cmid))["created"] is False  # a retry is the original
                for _ in range(50):
                    r = await asyncio.to_thread(
                        bob_http.post, f"/api/v1/conversations/{conv}/messages", json={"body": "api", "client_msg_id": api_cmid}
                    )
                    if r.status_code != 503:
                        break
                    await asyncio.sleep(0.2)
                assert r.status_code == 201, r.text
                r = await asyncio.to_thread(
                    bob_http.post, f"/api/v1/conversations/{conv}/messages", json={"body": "api", "client_msg_id": api_cmid}
                )
                assert r.status_code == 200

                db = await asyncio.to_thread(api_messages, bob_http, conv)
                assert [m["body"] for m in db] == ["before", "ws", "api"]
                await bob.sync()
                assert await until(lambda: same_messages(bob.view(conv), db), 10)
                assert not bob.duplicates
                health = await asyncio.to_thread(httpx.get, server.base_url + "/healthz", timeout=10)
                assert health.status_code == 200
            finally:
                await bob.disconnect()
                await alice.disconnect()

        asyncio.run(asyncio.wait_for(scenario(), 200))
    finally:
        server.stop()

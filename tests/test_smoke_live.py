import asyncio

import orjson
import websockets


def test_live_server_login_and_ws_ready(live_server_proc):
    bob = live_server_proc.login("bob")
    r = bob.get("/api/v1/me")
    assert r.status_code == 200, r.text
    assert r.json()["user"]["username"] == "bob"

    async def go():
        async with websockets.connect(
            live_server_proc.ws_url, additional_headers=live_server_proc.ws_headers(bob), origin=live_server_proc.base_url
        ) as ws:
            ready = orjson.loads(await asyncio.wait_for(ws.recv(), 5))
            assert ready["type"] == "ready"
            await ws.send(orjson.dumps({"type": "ping", "id": 1}).decode())
            assert orjson.loads(await asyncio.wait_for(ws.recv(), 5)) == {"type": "pong", "id": 1}

    asyncio.run(go())

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


def test_permessage_deflate_offered_as_browsers_do_is_declined(live_server_proc):
    """Chromium and Firefox offer permessage-deflate on every socket. Accepted, it kept zlib state
    of about 36 KiB per idle socket (58 against 22 KiB, docs/benchmarks.md), so `parley serve`
    declines it, as Socket.IO and Node's ws do by default; frames then go out uncompressed."""
    bob = live_server_proc.login("bob")

    async def go():
        async with websockets.connect(
            live_server_proc.ws_url, additional_headers=live_server_proc.ws_headers(bob),
            origin=live_server_proc.base_url, compression="deflate",
        ) as ws:
            assert "permessage-deflate" in ws.request.headers["Sec-WebSocket-Extensions"]
            assert "Sec-WebSocket-Extensions" not in ws.response.headers
            assert ws.protocol.extensions == []
            assert orjson.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "ready"

    asyncio.run(go())

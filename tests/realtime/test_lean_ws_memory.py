"""What `parley serve`'s protocols keep per open socket, checked on a real uvicorn server.

After a wave of connects (a restart, when every client comes back) the garbage collector walks
everything the new sockets keep; a socket that keeps less is also less memory (scenario c,
docs/benchmarks.md).
"""

import asyncio
import base64
import gc
import os
import socket

import uvicorn
from websockets.http11 import Request

from parley.realtime.lean_ws import LeanWebSocketProtocol
from parley.realtime.server import HeaderTimeoutH11Protocol


async def _app(scope, receive, send):
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "ready"})
    while (await receive())["type"] != "websocket.disconnect":
        pass


async def _open_sockets(port: int, n: int) -> list:
    out = []
    for _ in range(n):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET /ws/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nCookie: a=b; c=d\r\n"
                      f"User-Agent: test\r\nAccept-Language: fr\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert b" 101 " in head
        assert await asyncio.wait_for(reader.readexactly(7), 5) == b"\x81\x05ready"
        out.append(writer)
    return out


def _alive(cls) -> list:
    return [o for o in gc.get_objects() if type(o) is cls]


def test_an_open_socket_keeps_neither_its_http_protocol_nor_its_handshake_headers(settings):
    settings.PARLEY_HEADER_TIMEOUT = 30  # a header timer still armed would keep its protocol this long

    async def main():
        config = uvicorn.Config(_app, http=HeaderTimeoutH11Protocol, ws=LeanWebSocketProtocol, lifespan="off",
                                log_level="warning", ws_per_message_deflate=False)
        server = uvicorn.Server(config)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        try:
            writers = await _open_sockets(sock.getsockname()[1], 5)
            gc.collect()
            assert len(_alive(LeanWebSocketProtocol)) == 5
            assert _alive(HeaderTimeoutH11Protocol) == []  # let go at the upgrade, not 30 s later
            handshakes = _alive(Request)  # each still referenced by websockets' parser
            assert handshakes and all(len(r.headers) == 0 for r in handshakes)
            for w in writers:
                w.close()
        finally:
            server.should_exit = True
            await serving

    asyncio.run(main())

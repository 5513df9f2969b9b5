"""lean_ws.send_text_now beside the endpoint's write queue (WSConnection), on a real socket.

`parley serve`'s protocol writes a frame at once when nothing holds it back, and the
connection's queue and task take over while the transport's flow control holds writes back
(the peer reads slower than the server writes). Frames must come out whole and in order
across both paths. Here uvicorn's protocol class runs on one end of a socket pair, with the
test as the WebSocket peer on the other end.
"""

import asyncio
import base64
import os
import socket
from types import SimpleNamespace

from uvicorn.config import Config
from uvicorn.server import ServerState

from parley.realtime.lean_ws import LeanWebSocketProtocol
from parley.realtime.ws import WSConnection

# 4.5 MB, far past the transport's high-water mark and a socket pair's buffers, in fewer frames
# than the queue's limit (ws.MAX_QUEUE).
FRAMES, SIZE = 1500, 3000


def _app(opened: asyncio.Future):
    async def app(scope, receive, send):
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        opened.set_result(WSConnection(SimpleNamespace(pk=1), "", send))
        while (await receive())["type"] != "websocket.disconnect":
            pass

    return app


async def _read_frames(reader: asyncio.StreamReader, count: int) -> list[str]:
    """Server frames are unmasked: a 2-byte header, then a 16- or 64-bit length if long."""
    out = []
    for _ in range(count):
        first, second = await reader.readexactly(2)
        assert first == 0x81, "a final text frame"
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(await reader.readexactly(2), "big")
        elif length == 127:
            length = int.from_bytes(await reader.readexactly(8), "big")
        out.append((await reader.readexactly(length)).decode())
    return out


async def _open() -> tuple[WSConnection, asyncio.StreamReader, asyncio.StreamWriter]:
    loop = asyncio.get_running_loop()
    opened = loop.create_future()
    config = Config(_app(opened), ws=LeanWebSocketProtocol, lifespan="off", log_level="warning")
    config.load()
    server_end, peer_end = socket.socketpair()
    await loop.connect_accepted_socket(
        lambda: LeanWebSocketProtocol(config=config, server_state=ServerState(), app_state={}), server_end)
    reader, writer = await asyncio.open_connection(sock=peer_end)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(f"GET /ws/ HTTP/1.1\r\nHost: testserver\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 101")
    return await asyncio.wait_for(opened, 5), reader, writer


def test_frames_go_out_at_once_then_through_the_queue_under_back_pressure_whole_and_in_order():
    async def main():
        conn, reader, writer = await _open()
        conn.push("first")
        assert conn._queue is None and not conn._writing, "written at once: no queue, no task"
        assert await _read_frames(reader, 1) == ["first"]

        # The peer reads nothing while 4 MB are pushed: the transport's flow control stops
        # the direct writes, and the rest waits in the connection's queue for its task.
        frames = [f"{i:06d} " + "x" * SIZE for i in range(FRAMES)]
        for frame in frames:
            conn.push(frame)
        assert conn._writing and conn._queue, "the queue took over while the transport was full"
        assert await asyncio.wait_for(_read_frames(reader, FRAMES), 30) == frames

        await asyncio.sleep(0)  # the writer task ends once its queue is empty
        assert conn._queue is None and not conn._writing
        conn.push("last")
        assert conn._queue is None, "written at once again"
        assert await _read_frames(reader, 1) == ["last"]
        writer.close()

    asyncio.run(main())

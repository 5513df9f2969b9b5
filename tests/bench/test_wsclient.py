"""bench/wsclient: the load generator's handshake is a browser's, and a reply it could not
read is refused instead of misread."""

import asyncio

import pytest

from bench.wsclient import ws_connect


def _serve_once(reply_headers: str, seen: list):
    async def handle(reader, writer):
        seen.append((await reader.readuntil(b"\r\n\r\n")).decode())
        writer.write(f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     f"{reply_headers}\r\n".encode() + b"\x81\x05ready")
        await writer.drain()
        await asyncio.sleep(0.5)
        writer.close()

    return handle


def _connect(reply_headers: str, protocol: str = "parley"):
    seen: list[str] = []

    async def go():
        server = await asyncio.start_server(_serve_once(reply_headers, seen), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            client = await ws_connect(asyncio.get_running_loop(), "127.0.0.1", port, 1, "sessionid=k",
                                      f"http://127.0.0.1:{port}", lambda c, p: None, timeout=5, protocol=protocol)
            client.close()
            return client.ready
        finally:
            server.close()

    return asyncio.run(go()), seen


def test_the_handshake_offers_permessage_deflate_as_chromium_does():
    ready, seen = _connect("")
    assert ready == b"ready"
    assert "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" in seen[0]
    _ready, seen = _connect("", protocol="channels")
    assert "Sec-WebSocket-Extensions" not in seen[0]  # uvicorn's defaults would accept it


def test_a_server_that_accepts_the_offer_is_refused_not_misread():
    with pytest.raises(ConnectionError, match="permessage-deflate"):
        _connect("Sec-WebSocket-Extensions: permessage-deflate\r\n")

"""A minimal WebSocket (RFC 6455) and HTTP/1.1 keep-alive client on asyncio protocols.

The load generator shares two cores with the server, so it must cost little per frame:
no per-frame tasks or queues, just parse and call back. Its handshake offers
permessage-deflate as Chromium's does, so a server is measured with the sockets browsers open;
it does not inflate frames, so a server that accepts the offer is refused with a clear error
(docs/benchmarks.md).
"""

import asyncio
import base64
import os

_GUID_OK = b" 101 "
BROWSER_OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"


def _mask(payload: bytes) -> bytes:
    key = os.urandom(4)
    n = len(payload)
    if not n:
        return key
    full = (key * (n // 4 + 1))[:n]
    return key + (int.from_bytes(payload, "little") ^ int.from_bytes(full, "little")).to_bytes(n, "little")


def _frame(opcode: int, payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + _mask(payload)


class WSClient(asyncio.Protocol):
    """One client socket. `on_text(client, text_bytes)` is called for every text frame."""

    __slots__ = ("uid", "on_text", "transport", "buf", "open", "opened", "closed", "request", "ready", "tag")

    def __init__(self, uid: int, request: bytes, on_text, loop):
        self.uid = uid
        self.request = request
        self.on_text = on_text
        self.transport = None
        self.buf = bytearray()
        self.open = False
        self.opened = loop.create_future()  # resolves on the server's first frame (ready)
        self.closed = loop.create_future()
        self.ready = None
        self.tag = None

    @classmethod
    def request_for(cls, host: str, port: int, path: str, cookie: str, origin: str, token: str | None = None,
                    offer: str = BROWSER_OFFER) -> bytes:
        """The upgrade request: the session cookie, or an app's token as a subprotocol; `offer`,
        the extensions header a browser sends."""
        key = base64.b64encode(os.urandom(16)).decode()
        auth = (f"Sec-WebSocket-Protocol: parley.v1, parley.bearer.{token}\r\n" if token
                else f"Cookie: {cookie}\r\n")
        return (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n{auth}{offer}\r\n"
        ).encode()

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc):
        self.open = False
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"closed before ready: {exc}"))
        if not self.closed.done():
            self.closed.set_result(exc)

    def data_received(self, data):
        buf = self.buf
        buf += data
        if not self.open:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buf[: buf.find(b"\r\n")])
            if _GUID_OK not in status + b" ":
                if not self.opened.done():
                    self.opened.set_exception(ConnectionError(status.decode(errors="replace")))
                self.transport.close()
                return
            if b"\r\nsec-websocket-extensions:" in bytes(buf[:end]).lower():
                if not self.opened.done():
                    self.opened.set_exception(ConnectionError(
                        "the server accepted permessage-deflate, which this client does not inflate"))
                self.transport.close()
                return
            del buf[: end + 4]
            self.open = True
        while True:
            n = len(buf)
            if n < 2:
                return
            b0, b1 = buf[0], buf[1]
            ln = b1 & 0x7F
            pos = 2
            if ln == 126:
                if n < 4:
                    return
                ln = int.from_bytes(buf[2:4], "big")
                pos = 4
            elif ln == 127:
                if n < 10:
                    return
                ln = int.from_bytes(buf[2:10], "big")
                pos = 10
            if n < pos + ln:
                return
            payload = bytes(buf[pos : pos + ln])
            del buf[: pos + ln]
            op = b0 & 0x0F
            if op == 1 or op == 2:
                self.text_received(payload)
            elif op == 9:
                self.transport.write(_frame(10, payload))
            elif op == 8:
                if self.transport and not self.transport.is_closing():
                    self.transport.write(_frame(8, payload[:2]))
                    self.transport.close()
                return

    def text_received(self, payload: bytes) -> None:
        if not self.opened.done():
            self.opened.set_result(payload)
        else:
            self.on_text(self, payload)

    def send_text(self, text: str | bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            raise ConnectionError("socket closed")
        self.transport.write(_frame(1, text.encode() if isinstance(text, str) else text))

    def close(self) -> None:
        if self.transport and not self.transport.is_closing():
            try:
                self.transport.write(_frame(8, (1000).to_bytes(2, "big")))
            finally:
                self.transport.close()


class SocketIOClient(WSClient):
    """Socket.IO 4 over a raw WebSocket (Engine.IO 4 framing): "0{..}" open, "40" connect,
    "2"/"3" ping/pong, "42[event, data]" events, "43<id>[data]" acks. Ready on the "40" reply."""

    __slots__ = ()
    PATH = "/socket.io/?EIO=4&transport=websocket"

    def text_received(self, payload: bytes) -> None:
        kind = payload[:1]
        if kind == b"4":
            if payload[1:2] == b"0" and not self.opened.done():
                self.opened.set_result(payload)
            elif payload[1:2] == b"4" and not self.opened.done():  # connect_error: refused
                self.opened.set_exception(ConnectionError(payload.decode(errors="replace")))
            else:
                self.on_text(self, payload)
        elif kind == b"2":
            self.transport.write(_frame(1, b"3"))
        elif kind == b"0":
            self.transport.write(_frame(1, b"40"))


# Each protocol's client, path, and the extensions it offers. Not offered to the Channels peer:
# it runs under uvicorn's defaults, which accept permessage-deflate, and this client does not
# inflate; its memory per socket leaves the zlib state out, which flatters it.
PROTOCOLS = {"parley": (WSClient, "/ws/", BROWSER_OFFER), "socketio": (SocketIOClient, SocketIOClient.PATH, BROWSER_OFFER),
             "channels": (WSClient, "/ws/", "")}


async def ws_connect(loop, host: str, port: int, uid: int, cookie: str, origin: str, on_text, timeout: float = 30,
                     token: str | None = None, protocol: str = "parley"):
    cls, path, offer = PROTOCOLS[protocol]
    request = cls.request_for(host, port, path, cookie, origin, token, offer)
    _t, client = await asyncio.wait_for(
        loop.create_connection(lambda: cls(uid, request, on_text, loop), host, port), timeout
    )
    client.ready = await asyncio.wait_for(client.opened, timeout)
    return client


class HTTPClient:
    """A keep-alive HTTP/1.1 GET client for the polling baseline (one request at a time)."""

    def __init__(self, host: str, port: int, cookie: str):
        self.host, self.port, self.cookie = host, port, cookie
        self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nCookie: {self.cookie}\r\n"
            f"Accept: application/json\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        chunked = False
        close = False
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            k = k.strip().lower()
            if k == b"content-length":
                length = int(v)
            elif k == b"transfer-encoding" and b"chunked" in v.lower():
                chunked = True
            elif k == b"connection" and b"close" in v.lower():
                close = True
        if chunked:
            body = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
            body = bytes(body)
        else:
            body = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

"""A small WebSocket test client for the /ws/ protocol; every wait is bounded."""

import asyncio
import contextlib
import itertools
import uuid

import orjson
import pytest
import websockets

from parley.client import protocol

from .schema_check import check_frame

TIMEOUT = 5.0
_ids = itertools.count(1)


class WSClient:
    """Keeps every frame it receives, so waiting for one frame never loses another."""

    def __init__(self, ws):
        self.ws = ws
        self.frames: list[dict] = []  # received, not yet taken
        self.ready: dict | None = None

    async def _read(self, timeout: float) -> dict:
        """The next frame off the socket. An ack that carries the sender's own event
        (docs/protocol.md) comes out as that event frame first, then the ack, the order in
        which a client applies them."""
        first, *rest = protocol.frames_of(check_frame(orjson.loads(await asyncio.wait_for(self.ws.recv(), timeout))))
        self.frames.extend(rest)
        return first

    async def send(self, obj) -> None:
        await self.ws.send(obj if isinstance(obj, (str, bytes)) else orjson.dumps(obj).decode())

    async def recv(self, timeout: float = TIMEOUT) -> dict:
        if self.frames:
            return self.frames.pop(0)
        return await self._read(timeout)

    async def expect(self, pred, timeout: float = TIMEOUT) -> dict:
        """Return (and take) the first frame matching pred, keeping the others for later."""
        for i, frame in enumerate(self.frames):
            if pred(frame):
                return self.frames.pop(i)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no matching frame within {timeout}s; pending: {self.frames[-5:]}")
            kept = len(self.frames)
            frame = await self._read(remaining)
            if pred(frame):
                return frame
            self.frames.insert(kept, frame)  # before an ack that _read queued behind it
            for i in range(kept + 1, len(self.frames)):
                if pred(self.frames[i]):
                    return self.frames.pop(i)

    async def request(self, obj: dict, timeout: float = TIMEOUT) -> dict:
        """Send a frame with a fresh id and return the reply carrying that id."""
        ref = next(_ids)
        await self.send({**obj, "id": ref})
        return await self.expect(lambda fr: fr.get("id") == ref, timeout)

    async def event(self, name: str | None = None, pred=None, timeout: float = TIMEOUT) -> dict:
        return await self.expect(
            lambda fr: fr.get("type") == "event" and (name is None or fr["event"] == name) and (pred is None or pred(fr)),
            timeout,
        )

    async def send_message(self, conversation_id: int, body: str, client_msg_id=None) -> dict:
        return await self.request(
            {"type": "send", "conversation_id": conversation_id, "body": body, "client_msg_id": str(client_msg_id or uuid.uuid4())}
        )

    async def ping(self) -> dict:
        return await self.request({"type": "ping"})


@contextlib.asynccontextmanager
async def connect(server, client, *, origin: str | None = "default", timeout: float = TIMEOUT):
    """Open /ws/ as the httpx client's session; yield a WSClient after the ready frame."""
    kwargs = {"additional_headers": server.ws_headers(client) if client is not None else {}}
    if origin == "default":
        kwargs["origin"] = server.base_url
    elif origin is not None:
        kwargs["origin"] = origin
    ws = await asyncio.wait_for(websockets.connect(server.ws_url, open_timeout=timeout, **kwargs), timeout)
    try:
        c = WSClient(ws)
        c.ready = await c.recv(timeout)
        assert c.ready["type"] == "ready", c.ready
        yield c
    finally:
        await asyncio.wait_for(ws.close(), timeout)


def run(coro, timeout: float = 60):
    """Run a test coroutine with an overall bound."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def open_conversation(client, seller: str = "alice") -> int:
    """As the client's user, open a conversation about one of seller's demo listings."""
    for listing_id in range(1, 30):
        r = client.post("/api/v1/conversations", json={"listing_id": listing_id})
        if r.status_code in (200, 201) and r.json()["conversation"]["other"]["username"] == seller:
            return r.json()["conversation"]["id"]
    raise AssertionError(f"no listing of {seller}'s found in the demo data")


# Fixtures of the modules that speak to the session's live server as the demo users; a module
# imports the ones it uses (module scope: one log-in per user per module).
@pytest.fixture(scope="module")
def server(live_server_proc):
    return live_server_proc


@pytest.fixture(scope="module")
def alice(server):
    c = server.login("alice")
    yield c
    c.close()


@pytest.fixture(scope="module")
def bob(server):
    c = server.login("bob")
    yield c
    c.close()


@pytest.fixture(scope="module")
def carol(server):
    c = server.login("carol")
    yield c
    c.close()


@pytest.fixture(scope="module")
def conv(bob):
    return open_conversation(bob, "alice")


def is_message(body):
    return lambda fr: fr["data"]["message"]["body"] == body

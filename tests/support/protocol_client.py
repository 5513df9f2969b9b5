"""A model client of the realtime protocol (docs/protocol.md), for protocol and fault tests.

It does what a real client must: keep a cursor, apply each stream event once by seq, sync
on a gap, after every (re)connect and on `sync_hint`, and resend unacknowledged messages
with the same client_msg_id. Its view (`messages`) is then compared with the database's.
The rules themselves (which frames a received one stands for, apply / duplicate / gap) are
parley.client.protocol's, shared with the shipped Python client.
"""

import asyncio
import itertools
import random
import uuid

import httpx
import orjson
import websockets

from parley.client import protocol

from .schema_check import check_frame


def open_conversation(server_base: str, buyer: httpx.Client, seller_username: str) -> int:
    """Start (or get) a conversation of buyer about one of seller's demo listings."""
    for listing_id in range(1, 30):
        r = buyer.post(f"{server_base}/api/v1/conversations", json={"listing_id": listing_id})
        if r.status_code in (200, 201) and r.json()["conversation"]["other"]["username"] == seller_username:
            return r.json()["conversation"]["id"]
    raise AssertionError(f"no demo listing of {seller_username} found")


def bob_asks_alice(bob_server, alice_server) -> tuple[httpx.Client, httpx.Client, int]:
    """Log the demo users in (bob on one server, alice on the same or another) and have bob
    open a conversation about one of alice's listings; return (bob_http, alice_http, conv)."""
    bob_http, alice_http = bob_server.login("bob"), alice_server.login("alice")
    return bob_http, alice_http, open_conversation(bob_server.base_url, bob_http, "alice")


def api_messages(http: httpx.Client, conversation_id: int) -> list[dict]:
    """Every message of the conversation from the API, oldest first (the database's view)."""
    out, before = [], None
    for _ in range(1000):
        params = {"limit": 100, **({"before": before} if before else {})}
        r = http.get(f"/api/v1/conversations/{conversation_id}/messages", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        out = page["messages"] + out
        if not page["has_more"]:
            return out
        before = page["next_before"]
    raise AssertionError("too many pages")


class StreamClient:
    """One socket of one user; reconnectable. All methods run on one asyncio loop."""

    _ids = itertools.count(1)

    def __init__(self, ws_url: str, http: httpx.Client, *, origin: str, drop_pushes: float = 0.0, seed: int = 0):
        self.ws_url, self.http, self.origin = ws_url, http, origin
        self.drop_pushes = drop_pushes
        self.rng = random.Random(seed)
        self.stream = protocol.Cursor()
        self.applied: list[int] = []  # seqs applied, in order
        self.messages: dict[int, dict[int, dict]] = {}  # conversation id -> seq -> message
        self.duplicates: list[dict] = []
        self.read_marks: dict[int, list[int]] = {}  # conversation id -> last_read_seq values seen (own)
        self.resyncs = 0
        self.hints = 0
        self.pushed = 0  # events applied from a push (the rest came by sync)
        self.ws = None
        self._reader: asyncio.Task | None = None
        self._pending: dict[int, asyncio.Future] = {}
        self._sync_lock = asyncio.Lock()
        self._sync_tasks: set[asyncio.Task] = set()
        self.user_id: int | None = None

    # --- connection -----------------------------------------------------------------
    @property
    def cursor(self) -> int:
        return self.stream.seq

    @property
    def connected(self) -> bool:
        return self.ws is not None and self._reader is not None and not self._reader.done()

    async def connect(self, ws_url: str | None = None, timeout: float = 10) -> None:
        if ws_url and ws_url != self.ws_url:
            # Another process, as a load balancer would pick: behind one, every process sees the
            # site's one origin in both Origin and Host, so the page's origin follows the URL here.
            self.ws_url = ws_url
            self.origin = ws_url.replace("ws://", "http://", 1).replace("wss://", "https://", 1).split("/ws/")[0]
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.ws = await asyncio.wait_for(
            websockets.connect(self.ws_url, additional_headers={"Cookie": cookie}, origin=self.origin,
                               open_timeout=timeout, close_timeout=2),
            timeout,
        )
        ready = check_frame(orjson.loads(await asyncio.wait_for(self.ws.recv(), timeout)))
        assert ready["type"] == "ready", ready
        self.user_id = ready["user_id"]
        self._reader = asyncio.create_task(self._read_loop())
        await self.sync()

    async def disconnect(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 3)
            except Exception:
                pass
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except BaseException:
                pass
        for task in list(self._sync_tasks):
            task.cancel()
        self.ws = self._reader = None
        self._fail_pending(ConnectionError("disconnected"))

    def _fail_pending(self, exc: Exception) -> None:
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(exc)
        self._pending.clear()

    async def _read_loop(self) -> None:
        try:
            async for raw in self.ws:
                # The sender's own event rides on its ack: frames_of gives the event, then the ack.
                for frame in protocol.frames_of(check_frame(orjson.loads(raw))):
                    ref = frame.get("id")
                    if ref is not None and ref in self._pending:
                        fut = self._pending.pop(ref)
                        if not fut.done():
                            fut.set_result(frame)
                    elif frame["type"] == "event":
                        self._on_push(frame)
                    elif frame["type"] in ("sync_hint", "ready"):
                        self.hints += 1
                        self._schedule_sync()
        except (websockets.ConnectionClosed, OSError):
            pass
        finally:
            self._fail_pending(ConnectionError("connection lost"))

    def _on_push(self, frame: dict) -> None:
        if self.drop_pushes and self.rng.random() < self.drop_pushes:
            return  # lost in transit: a later gap or the final sync recovers it
        verdict = self.stream.classify(frame)
        if verdict == protocol.APPLY and not self._sync_lock.locked():  # else the sync brings it
            self._apply(frame)
            self.pushed += 1
        elif verdict == protocol.GAP:
            self._schedule_sync()

    def _schedule_sync(self) -> None:
        task = asyncio.create_task(self._quiet_sync())
        self._sync_tasks.add(task)
        task.add_done_callback(self._sync_tasks.discard)

    async def _quiet_sync(self) -> None:
        try:
            await self.sync()
        except (ConnectionError, asyncio.TimeoutError):
            pass  # the next connect syncs

    async def request(self, frame: dict, timeout: float = 10) -> dict:
        if not self.connected:
            raise ConnectionError("not connected")
        ref = next(self._ids)
        fut = asyncio.get_running_loop().create_future()
        self._pending[ref] = fut
        try:
            await self.ws.send(orjson.dumps({**frame, "id": ref}).decode())
        except (websockets.ConnectionClosed, OSError) as exc:
            self._pending.pop(ref, None)
            raise ConnectionError(str(exc)) from exc
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self._pending.pop(ref, None)

    # --- the stream -----------------------------------------------------------------
    def _apply(self, event: dict) -> None:
        seq = event["seq"]
        assert seq == self.cursor + 1, (seq, self.cursor)
        self.stream.applied(event)
        self.applied.append(seq)
        data = event["data"]
        if event["event"] == "message.created":
            message = data["message"]
            conv = self.messages.setdefault(message["conversation_id"], {})
            if message["seq"] in conv:
                self.duplicates.append(message)
            conv[message["seq"]] = message
        elif event["event"] == "conversation.read" and data.get("user_id") == self.user_id:
            self.read_marks.setdefault(data["conversation_id"], []).append(data["seq"])

    async def sync(self) -> None:
        """Ask for everything after the cursor until the head; apply it in order."""
        async with self._sync_lock:
            for _ in range(1000):
                reply = await self.request({"type": "sync", "since": self.cursor})
                if reply["type"] == "resync_required":
                    self.resyncs += 1
                    raise AssertionError(f"unexpected resync_required at cursor {self.cursor}: {reply}")
                assert reply["type"] == "sync", reply
                for event in reply["events"]:
                    if self.stream.classify(event) != protocol.DUPLICATE:
                        self._apply(event)
                if self.cursor >= reply["head"]:
                    return
            raise AssertionError("sync did not reach the head")

    async def send(self, conversation_id: int, body: str, client_msg_id: str | None = None, timeout: float = 10) -> dict:
        cmid = client_msg_id or str(uuid.uuid4())
        reply = await self.request(
            {"type": "send", "conversation_id": conversation_id, "body": body, "client_msg_id": cmid}, timeout
        )
        return reply

    def view(self, conversation_id: int) -> list[dict]:
        conv = self.messages.get(conversation_id, {})
        return [conv[s] for s in sorted(conv)]


async def connected(*placements) -> list["StreamClient"]:
    """Connect one StreamClient per (server, logged-in http client), on that server's socket."""
    clients = [StreamClient(server.ws_url, http, origin=server.base_url) for server, http in placements]
    for client in clients:
        await client.connect()
    return clients


async def until(predicate, timeout: float = 10.0, step: float = 0.05) -> bool:
    """Wait until predicate() is true, at most timeout seconds; return its last value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if predicate():
            return True
        await asyncio.sleep(step)
    return bool(predicate())


def same_messages(view: list[dict], db: list[dict]) -> bool:
    key = lambda m: (m["seq"], m["client_msg_id"], m["body"], m["sender_id"])  # noqa: E731
    return [key(m) for m in view] == [key(m) for m in db]

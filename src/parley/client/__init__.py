"""A small Python client for Parley's API and WebSocket (docs/api.md walks through it).

    import asyncio
    from parley.client import Client

    async def main():
        async with await Client.login("https://parley.example", "bob", "secret", device_name="bot") as bob:
            conversation = await bob.start(listing_id=3)
            await bob.send(conversation["id"], "Is it still for sale?")
            async for event in bob.events():          # live, in stream order, each once
                print(event["event"], event["data"])

    asyncio.run(main())

`events()` keeps the stream cursor, reconnects with backoff when the link drops, and syncs the
gap after every (re)connect, as docs/protocol.md says; an expired access token is refreshed
once and the socket reopened. `send()` retries a failed request with the same
`client_msg_id`, so a message is never sent twice. The protocol rules themselves are in
parley.client.protocol, with no I/O.

It needs no Django: only httpx and websockets.
"""

import asyncio
import itertools
import random
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from . import protocol

__all__ = ["ApiError", "Client", "protocol"]


class ApiError(Exception):
    """An error in the API's one shape: {"error": {"code", "message", "details"}}."""

    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details or {}


class ResyncRequired(Exception):
    """The stream no longer holds the events after the cursor: reload state, then continue
    from `cursor` (docs/protocol.md, `resync_required`)."""

    def __init__(self, cursor: int):
        super().__init__(f"resync required; continue from {cursor}")
        self.cursor = cursor


def _raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        raise ApiError(response.status_code, "http_error", response.text[:200]) from None
    raise ApiError(response.status_code, error.get("code", "error"), error.get("message", ""), error.get("details"))


class Client:
    """One signed-in device. Use `Client.login(...)`, or pass tokens you stored."""

    def __init__(self, base_url: str, *, access_token: str, refresh_token: str | None = None,
                 timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.access_token, self.refresh_token = access_token, refresh_token
        self.cursor = protocol.Cursor()
        self.timeout = timeout
        self._http = httpx.AsyncClient(base_url=self.base_url + "/api/v1", timeout=timeout, transport=transport)
        self._ids = itertools.count(1)

    # --- log-in and tokens ---------------------------------------------------------------
    @classmethod
    async def login(cls, base_url: str, username: str, password: str, *, device_name: str = "parley-python",
                    **kwargs) -> "Client":
        """POST /api/v1/auth/token: a new device for this user."""
        async with httpx.AsyncClient(base_url=base_url.rstrip("/") + "/api/v1", timeout=kwargs.get("timeout", 10.0),
                                     transport=kwargs.get("transport")) as http:
            r = await http.post("/auth/token", json={"username": username, "password": password, "device_name": device_name})
        _raise_for(r)
        body = r.json()
        return cls(base_url, access_token=body["access_token"], refresh_token=body["refresh_token"], **kwargs)

    async def refresh(self) -> None:
        """Trade the refresh token for a new pair (the old one stops working)."""
        if not self.refresh_token:
            raise ApiError(401, "invalid_token", "No refresh token to refresh with.")
        r = await self._http.post("/auth/refresh", json={"refresh_token": self.refresh_token})
        _raise_for(r)
        body = r.json()
        self.access_token, self.refresh_token = body["access_token"], body["refresh_token"]

    async def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        """One API call with the access token; on a 401, refresh once and try again."""
        for attempt in (0, 1):
            r = await self._http.request(method, path, headers={"Authorization": f"Bearer {self.access_token}"}, **kwargs)
            if r.status_code == 401 and attempt == 0 and self.refresh_token:
                await self.refresh()
                continue
            _raise_for(r)
            return r
        raise AssertionError("unreachable")

    # --- the API ---------------------------------------------------------------------------
    async def me(self) -> dict:
        return (await self._request("GET", "/me")).json()

    async def conversations(self, *, before: str | None = None, limit: int = 30) -> dict:
        """A page of the inbox: {"conversations": [...], "next_before": cursor or None}."""
        params = {"limit": limit, **({"before": before} if before else {})}
        return (await self._request("GET", "/conversations", params=params)).json()

    async def start(self, *, listing_id: int) -> dict:
        """Create-or-get the conversation about a listing (as its buyer)."""
        return (await self._request("POST", "/conversations", json={"listing_id": listing_id})).json()["conversation"]

    async def messages(self, conversation_id: int, *, before: int | None = None, limit: int = 30) -> dict:
        """A page of messages, oldest first: {"messages", "has_more", "next_before"}."""
        params = {"limit": limit, **({"before": before} if before is not None else {})}
        return (await self._request("GET", f"/conversations/{conversation_id}/messages", params=params)).json()

    async def send(self, conversation_id: int, body: str, *, client_msg_id: str | None = None,
                   reply_to_id: int | None = None, attempts: int = 4) -> dict:
        """Send a message (quoting `reply_to_id`, a message of the same conversation); retried
        with the same client_msg_id on a network error or a 5xx/429, so it is stored once
        whatever happens to the replies. Returns the message."""
        cmid = client_msg_id or str(uuid.uuid4())
        payload = {"body": body, "client_msg_id": cmid, **({"reply_to_id": reply_to_id} if reply_to_id else {})}
        for attempt in range(attempts):
            try:
                r = await self._request("POST", f"/conversations/{conversation_id}/messages", json=payload)
                return r.json()["message"]
            except httpx.TransportError:
                if attempt == attempts - 1:
                    raise
            except ApiError as exc:
                if not (exc.status >= 500 or exc.status == 429) or attempt == attempts - 1:
                    raise
                await asyncio.sleep(float(exc.details.get("retry_after") or protocol.backoff_seconds(attempt)))
                continue
            await asyncio.sleep(protocol.backoff_seconds(attempt))
        raise AssertionError("unreachable")

    async def read(self, conversation_id: int, seq: int | None = None) -> dict:
        return (await self._request("POST", f"/conversations/{conversation_id}/read",
                                    json={} if seq is None else {"seq": seq})).json()

    async def mark_unread(self, conversation_id: int) -> dict:
        """Show the conversation as unread again, on every device of the user."""
        return (await self._request("POST", f"/conversations/{conversation_id}/unread")).json()

    async def devices(self) -> list[dict]:
        """The apps signed in to the account, this one included."""
        return (await self._request("GET", "/devices")).json()["devices"]

    async def revoke_device(self, device_id: int) -> None:
        """Sign a device out (this one too): its tokens end and its sockets close."""
        await self._request("DELETE", f"/devices/{device_id}")

    # --- live events -------------------------------------------------------------------------
    def _ws_url(self) -> str:
        parts = urlsplit(self.base_url)
        return urlunsplit(("wss" if parts.scheme == "https" else "ws", parts.netloc, parts.path.rstrip("/") + "/ws/", "", ""))

    async def events(self, *, since: int | None = None, signals: bool = False,
                     max_backoff: float = 30.0) -> AsyncIterator[dict]:
        """Yield the user's events ({"seq", "event", "data"}) in stream order, each once.

        Starts after `since` (default: the current cursor, 0 for a new client: everything the
        stream still holds). Reconnects with backoff and syncs the gap after every connect.
        Live-only signals (typing, presence; seq 0) are yielded too when `signals` is true.
        Raises ApiError on 4401 after one refresh, and ResyncRequired when the stream no
        longer holds the events after the cursor.
        """
        if since is not None:
            self.cursor = protocol.Cursor(seq=since)
        attempt, refreshed = 0, False
        while True:
            try:
                async with websockets.connect(
                    self._ws_url(), subprotocols=["parley.v1", f"parley.bearer.{self.access_token}"],
                    open_timeout=self.timeout, max_size=2**20,
                ) as ws:
                    attempt = 0
                    async for event in self._session(ws, signals):
                        yield event
            except (InvalidStatus, ConnectionClosed, OSError, asyncio.TimeoutError) as exc:
                kind, error = _link_failure(exc)
                if kind == "auth" and not refreshed and self.refresh_token:
                    await self.refresh()  # an expired access token: once, then reconnect at once
                    refreshed = True
                    continue
                if error is not None:
                    raise error from None
            delay = protocol.backoff_seconds(attempt, cap=max_backoff)
            attempt += 1
            await asyncio.sleep(delay * (0.5 + random.random() / 2))

    async def _session(self, ws, signals: bool) -> AsyncIterator[dict]:
        """One open socket: wait for `ready`, catch up with sync, then follow pushes."""
        ready = orjson.loads(await ws.recv())
        if ready.get("type") != "ready":
            raise ApiError(502, "bad_frame", f"Expected a ready frame, got {ready.get('type')!r}.")
        async for event in self._sync(ws):
            yield event
        while True:
            for frame in protocol.frames_of(orjson.loads(await ws.recv())):
                kind = frame.get("type")
                if kind == "sync_hint":
                    async for event in self._sync(ws):
                        yield event
                elif kind == "event":
                    verdict = self.cursor.classify(frame)
                    if verdict == protocol.APPLY:
                        self.cursor.applied(frame)
                        yield _event(frame)
                    elif verdict == protocol.GAP:
                        async for event in self._sync(ws):
                            yield event
                    elif verdict == protocol.SIGNAL and signals:
                        yield _event(frame)

    async def _sync(self, ws) -> AsyncIterator[dict]:
        """Ask for everything after the cursor until the head; pushes that arrive meanwhile
        are dropped, since the sync returns them too (or a later sync will)."""
        while True:
            ref = f"s{next(self._ids)}"
            await ws.send(orjson.dumps(self.cursor.sync_frame(ref)).decode())
            while True:
                reply = orjson.loads(await ws.recv())
                if reply.get("id") == ref:
                    break
            if reply["type"] == "resync_required":
                raise ResyncRequired(int(reply["cursor"]))
            if reply["type"] == "error":
                await asyncio.sleep(float(reply.get("details", {}).get("retry_after") or 1))
                continue
            for event in reply["events"]:
                if self.cursor.classify(event) == protocol.APPLY:
                    self.cursor.applied(event)
                    yield _event(event)
            if int(reply["cursor"]) >= int(reply["head"]):
                return

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()


def _link_failure(exc) -> tuple[str, "ApiError | None"]:
    """What a refused or lost socket means: ("auth", error) when a fresh access token may
    help (else raise the error), ("fatal", error) to raise, ("retry", None) to back off and
    reconnect (docs/protocol.md, "Close codes")."""
    if isinstance(exc, InvalidStatus):  # refused before accept: a bad or expired token
        status = exc.response.status_code
        return ("auth" if status == 403 else "fatal"), ApiError(status, "unauthenticated", "The socket refused the token.")
    if isinstance(exc, ConnectionClosed):
        code = exc.rcvd.code if exc.rcvd is not None else 1006
        if code in protocol.AUTH_CLOSE_CODES:
            return "auth", ApiError(401, "unauthenticated", "The server closed the socket: log in again.")
        if code in protocol.FORBIDDEN_CLOSE_CODES:
            return "fatal", ApiError(403, "forbidden", "The server refused the socket's Origin.")
    return "retry", None  # the network, a restart, 1013 or 4429


def _event(frame: dict) -> dict:
    return {"seq": frame.get("seq", 0), "event": frame.get("event"), "data": frame.get("data")}

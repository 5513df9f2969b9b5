"""The Redis broker: one subscriber and one publisher per process, on redis-py's asyncio client.

Doorbells go on one channel, `parley:events` (the prefix is PARLEY_REDIS_PREFIX): one
PUBLISH carries every frame of a commit (up to PUBLISH_BATCH), one line `<user_id> <seq> <frame>`
each. Every process subscribes to it, and its hub drops frames for users it has no socket
for (docs/architecture.md says why one channel and not per-user subscriptions). Control
messages (logout) go on `parley:control`.

Redis is only the doorbell: when it is down, sends still commit, publishing is skipped
(logged once per outage), the subscriber retries with backoff and jitter, and once it is
back the hub tells every local socket to sync, because it may have missed pushes.
"""

import asyncio
import logging
import random
import threading
from collections import deque

import orjson
import redis
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.retry import Retry as SyncRetry

from parley.core.aio import cancel_all
from parley.core.outage import OutageLog

from .base import Broker, Control, Deliver

logger = logging.getLogger("parley.broker")

DEFAULT_PREFIX = "parley"
MAX_PENDING = 50_000  # frames waiting for the publisher; beyond this a burst is dropped (doorbells only)
BACKOFF_BASE, BACKOFF_CAP = 0.1, 5.0
PUBLISH_BATCH = 500  # frames per PUBLISH

REDIS_ERRORS = (redis.RedisError, OSError, asyncio.TimeoutError)


def backoff_delay(attempt: int, *, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Return a "full jitter" delay for the attempt-th retry (AWS architecture blog)."""
    return random.uniform(0, min(cap, base * (2 ** min(attempt, 16))))


class RedisBroker(Broker):
    """Redis pub/sub broker; `publish` is safe from any thread and never waits on Redis."""

    def __init__(self, url: str, *, prefix: str = DEFAULT_PREFIX, on_resubscribe=None):
        self.url = url
        # Channels: {prefix}:events for every doorbell, {prefix}:control for control messages.
        self.events_channel = f"{prefix}:events"
        self.control_channel = f"{prefix}:control"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._deliver: Deliver | None = None
        self._control: Control | None = None
        self._on_resubscribe = on_resubscribe
        self._pending: deque[tuple[str, str]] = deque()
        self._wakeup: asyncio.Event | None = None
        self._tasks: list[asyncio.Task] = []
        self._publisher: aioredis.Redis | None = None
        self._subscribed = False
        paused = "; live delivery is paused and clients will catch up by sync. Retrying quietly until it is back."
        self._pub_log = OutageLog(logger, "Redis publish", paused)
        self._sub_log = OutageLog(logger, "Redis subscription", paused)
        self._overflow_logged = False
        self._sync_client: redis.Redis | None = None
        self._sync_lock = threading.Lock()

    # --- lifecycle ------------------------------------------------------------------
    async def start(self, deliver: Deliver, control: Control) -> None:
        self._loop = asyncio.get_running_loop()
        self._deliver, self._control = deliver, control
        self._wakeup = asyncio.Event()
        self._publisher = aioredis.Redis.from_url(
            self.url, socket_connect_timeout=2, socket_timeout=5, retry=Retry(NoBackoff(), 0)
        )
        self._tasks = [
            asyncio.create_task(self._subscribe_forever(), name="parley-redis-subscriber"),
            asyncio.create_task(self._publish_forever(), name="parley-redis-publisher"),
        ]
        # Wait briefly for the first subscription so a process that is "up" receives from
        # the start; if Redis is down we still start and retry in the background.
        for _ in range(40):
            if self._subscribed:
                break
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        self._tasks = []
        if self._publisher is not None:
            await self._publisher.aclose()
        self._publisher = None
        self._loop = None
        self._subscribed = False

    def healthy(self) -> bool:
        if self._loop is None:  # not a server process: answer by asking Redis
            try:
                return bool(self._sync().ping())
            except REDIS_ERRORS:
                return False
        # The subscription notices a lost Redis within seconds (and health checks catch a
        # silent one); a publish failure alone may be one dropped connection.
        return self._subscribed

    # --- publishing -----------------------------------------------------------------
    def publish_many(self, frames: list[tuple[int, int, str]]) -> None:
        """Publish (user_id, seq, frame) triples in order with one hop to the loop."""
        self._submit_many([(self.events_channel, f"{uid} {seq} {frame}") for uid, seq, frame in frames])

    def publish_control(self, user_id: int, message: dict) -> None:
        self._submit(self.control_channel, orjson.dumps({"user_id": user_id, "message": message}).decode())

    def _submit(self, channel: str, data: str) -> None:
        self._submit_many([(channel, data)])

    def _submit_many(self, items: list[tuple[str, str]]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            self._publish_sync(items)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        try:
            if running is loop:
                self._enqueue(items)
            else:
                loop.call_soon_threadsafe(self._enqueue, items)
        except RuntimeError:  # the loop closed under us (shutdown): nobody is listening here
            pass

    def _enqueue(self, items: list[tuple[str, str]]) -> None:
        """Queue publishes for the publisher task. Runs on the server loop."""
        if len(self._pending) + len(items) > MAX_PENDING:
            if not self._overflow_logged:
                self._overflow_logged = True
                logger.warning("Redis publish queue full (%d); dropping doorbells, clients will sync.", MAX_PENDING)
            return
        self._pending.extend(items)
        self._wakeup.set()

    async def _publish_forever(self) -> None:
        """Drain the queue in pipelined batches, in order; one batch in flight at a time."""
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                batch = [self._pending.popleft() for _ in range(min(PUBLISH_BATCH, len(self._pending)))]
                if not await self._publish_batch(batch):
                    # Dropped: the stream has them, and subscribers resync when Redis is back.
                    self._pending.clear()
                    await asyncio.sleep(backoff_delay(1))

    async def _publish_batch(self, batch: list[tuple[str, str]]) -> bool:
        # Two tries: after a Redis restart the pooled connection is stale and the first
        # command only discovers it; the second runs on a fresh connection.
        for attempt in range(2):
            try:
                pipe = self._publisher.pipeline(transaction=False)
                for channel, data in self._coalesce(batch):
                    pipe.publish(channel, data)
                await pipe.execute()
                self._pub_log.ok()
                self._overflow_logged = False
                return True
            except REDIS_ERRORS as exc:
                if attempt:
                    self._pub_log.failed(exc)
        return False

    def _coalesce(self, items: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Join each run of doorbells into one message of lines, keeping the order."""
        out: list[tuple[str, str]] = []
        run: list[str] = []
        for channel, data in items:
            if channel == self.events_channel:
                run.append(data)  # frames are JSON: a newline inside one is always escaped
                continue
            if run:
                out.append((self.events_channel, "\n".join(run)))
                run = []
            out.append((channel, data))
        if run:
            out.append((self.events_channel, "\n".join(run)))
        return out

    def _sync(self) -> redis.Redis:
        with self._sync_lock:
            if self._sync_client is None:
                self._sync_client = redis.Redis.from_url(
                    self.url, socket_connect_timeout=1, socket_timeout=2, retry=SyncRetry(NoBackoff(), 0)
                )
            return self._sync_client

    def _publish_sync(self, items: list[tuple[str, str]]) -> None:
        """Publish from a process with no server loop (a task worker, a command)."""
        try:
            pipe = self._sync().pipeline(transaction=False)
            for channel, data in self._coalesce(items):
                pipe.publish(channel, data)
            pipe.execute()
            self._pub_log.ok()
        except REDIS_ERRORS as exc:
            self._pub_log.failed(exc)

    # --- subscribing ----------------------------------------------------------------
    async def _subscribe_forever(self) -> None:
        attempt = 0
        first = True
        while True:
            client = aioredis.Redis.from_url(
                self.url, socket_connect_timeout=2, health_check_interval=10, retry=Retry(NoBackoff(), 0)
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.events_channel, self.control_channel)
                self._subscribed = True
                attempt = 0
                self._sub_log.ok()
                if not first:
                    self._resubscribed()
                first = False
                await self._listen(pubsub)
            except asyncio.CancelledError:
                raise
            except REDIS_ERRORS as exc:
                self._subscribed = False
                self._sub_log.failed(exc)
            finally:
                self._subscribed = False
                try:
                    await pubsub.aclose()
                    await client.aclose()
                except Exception:  # the connection is already gone
                    pass
            first = False
            attempt += 1
            await asyncio.sleep(backoff_delay(attempt))

    async def _listen(self, pubsub) -> None:
        while True:
            message = await pubsub.get_message(timeout=30.0)
            if message is None:
                continue
            channel = message["channel"].decode() if isinstance(message["channel"], bytes) else message["channel"]
            data = message["data"]
            if isinstance(data, bytes):
                data = data.decode()
            if channel == self.events_channel:
                for line in data.split("\n"):
                    try:
                        user_id, seq, frame = line.split(" ", 2)
                        self._deliver(int(user_id), int(seq), frame)
                    except Exception:
                        logger.exception("could not dispatch a doorbell line %r", line[:80])
            elif channel == self.control_channel:
                try:
                    body = orjson.loads(data)
                    self._control(int(body["user_id"]), body["message"])
                except Exception:
                    logger.exception("could not dispatch a control message")

    def _resubscribed(self) -> None:
        """Tell local sockets to sync: pushes published while we were away are gone."""
        callback = self._on_resubscribe
        if callback is None:
            from ..hub import hub

            callback = hub.hint_sync
        try:
            callback()
        except Exception:
            logger.exception("resync hint failed")

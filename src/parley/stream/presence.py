"""Presence: who has an open socket on any server process, and pushes when that changes.

The hub knows this process's sockets; this module turns them into a user's presence across
processes (docs/architecture.md, "Presence"):

- `socket_opened(user_id)` / `socket_closed(user_id)` are called by the socket endpoint on
  the event loop. A user's first local socket marks them present here; their last one, after
  PARLEY_PRESENCE_GRACE seconds without a new one (a page load closes one socket and opens
  the next), marks them gone here.
- The store says whether any process still has them: `MemoryPresenceStore` in one process,
  `RedisPresenceStore` across many, where each process refreshes an entry per local user
  with an expiry of PARLEY_PRESENCE_TTL seconds (every TTL/3 s), and every process reaps
  the entries that expired: those of a process that died without saying goodbye. So a dead
  process's users go offline everywhere within TTL + TTL/3 seconds.
- A change (online, or offline with the time last seen) is decided once, by the one
  process whose store operation made it, and broadcast to every process as a broker control
  message; each process pushes it as a `presence` signal to its local sockets of the users
  who watch that person (`watch`, registered by the presence frame), and calls the
  listeners (`on_change`, the presence app stores the last-seen time).

Nothing here touches the database. Everything runs on the server's event loop, except the
store's Redis calls, which run on a worker thread.
"""

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
from asgiref.sync import sync_to_async

from parley.conf import settings
from parley.core.errors import Unavailable
from parley.core.outage import OutageLog

from .broker import get_broker
from .hub import hub

logger = logging.getLogger("parley.presence")

CONTROL_TYPE = "presence"


def iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


class MemoryPresenceStore:
    """One process: present means an open socket here."""

    def __init__(self):
        self._present: set[int] = set()

    def up(self, user_ids: list[int], now: float) -> list[int]:
        """Mark users present here; return those who were offline everywhere before."""
        fresh = [uid for uid in user_ids if uid not in self._present]
        self._present.update(user_ids)
        return fresh

    def down(self, user_id: int, now: float) -> bool:
        """Mark a user gone here; return whether they are now offline everywhere."""
        self._present.discard(user_id)
        return True

    def reap(self, now: float) -> list[tuple[int, float]]:
        return []

    def is_online(self, user_id: int) -> bool:
        return user_id in self._present

    def online_among(self, user_ids: list[int]) -> set[int]:
        return {uid for uid in user_ids if uid in self._present}


_UP = """
local now = tonumber(ARGV[1])
local expiry, ttl, process = ARGV[2], ARGV[3], ARGV[4]
local fresh = {}
for i, key in ipairs(KEYS) do
  if i > 1 then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    local before = redis.call('ZCARD', key)
    redis.call('ZADD', key, expiry, process)
    redis.call('EXPIRE', key, ttl)
    redis.call('ZADD', KEYS[1], expiry, ARGV[4 + i - 1] .. '|' .. process)
    if before == 0 then table.insert(fresh, ARGV[4 + i - 1]) end
  end
end
return fresh
"""

_DOWN = """
redis.call('ZREM', KEYS[1], ARGV[2] .. '|' .. ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[2])
"""

# Expired entries (their process stopped refreshing them): remove each once, atomically, and
# report the users who have no entry left, with the expiry of the last one.
_REAP = """
local gone = {}
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, 500)
for i = 1, #expired, 2 do
  local member, score = expired[i], expired[i + 1]
  redis.call('ZREM', KEYS[1], member)
  local sep = string.find(member, '|', 1, true)
  local uid, process = string.sub(member, 1, sep - 1), string.sub(member, sep + 1)
  local key = ARGV[2] .. uid
  if redis.call('ZREM', key, process) == 1 and redis.call('ZCARD', key) == 0 then
    table.insert(gone, uid)
    table.insert(gone, score)
  end
end
return gone
"""


class RedisPresenceStore:
    """Many processes: `<prefix>:presence:u:<user id>` is a sorted set of process id -> expiry,
    `<prefix>:presence:exp` one of "<user id>|<process id>" -> expiry, for reaping."""

    def __init__(self, url: str, *, prefix: str, ttl: float, process_id: str | None = None):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.ttl = ttl
        self.process_id = process_id or uuid.uuid4().hex[:12]
        self.user_prefix = f"{prefix}:presence:u:"
        self.expiry_key = f"{prefix}:presence:exp"
        self.redis = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2, retry=Retry(NoBackoff(), 0))
        self._up = self.redis.register_script(_UP)
        self._down = self.redis.register_script(_DOWN)
        self._reap = self.redis.register_script(_REAP)

    def up(self, user_ids: list[int], now: float) -> list[int]:
        fresh: list[int] = []
        for start in range(0, len(user_ids), 200):
            chunk = user_ids[start:start + 200]
            keys = [self.expiry_key] + [f"{self.user_prefix}{uid}" for uid in chunk]
            args = [now, now + self.ttl, int(self.ttl * 2) + 1, self.process_id] + chunk
            fresh += [int(uid) for uid in self._up(keys=keys, args=args)]
        return fresh

    def down(self, user_id: int, now: float) -> bool:
        left = self._down(keys=[self.expiry_key, f"{self.user_prefix}{user_id}"], args=[now, user_id, self.process_id])
        return int(left) == 0

    def reap(self, now: float) -> list[tuple[int, float]]:
        found = self._reap(keys=[self.expiry_key], args=[now, self.user_prefix])
        # The last heartbeat was a TTL before the expiry.
        return [(int(found[i]), float(found[i + 1]) - self.ttl) for i in range(0, len(found), 2)]

    def is_online(self, user_id: int) -> bool:
        return self.redis.zcount(f"{self.user_prefix}{user_id}", f"({time.time()}", "+inf") > 0

    def online_among(self, user_ids: list[int]) -> set[int]:
        """Those of these users present on some process: one pipelined round trip."""
        now = time.time()
        pipe = self.redis.pipeline(transaction=False)
        for uid in user_ids:
            pipe.zcount(f"{self.user_prefix}{uid}", f"({now}", "+inf")
        return {uid for uid, count in zip(user_ids, pipe.execute()) if count > 0}


def make_store():
    if settings.PARLEY_BROKER == "redis":
        return RedisPresenceStore(settings.REDIS_URL, prefix=settings.PARLEY_REDIS_PREFIX, ttl=float(settings.PARLEY_PRESENCE_TTL))
    return MemoryPresenceStore()


Change = Callable[[int, bool, float | None], None]  # (user_id, online, last_seen_ts or None)


class PresenceTracker:
    """This process's part of presence; one per process (`tracker`), started with the broker."""

    def __init__(self):
        self.store = None
        self._lookups = OutageLog(logger, "Presence lookup", "; presence shows as unknown until Redis is back.")
        self._local: dict[int, int] = {}  # user id -> open sockets here
        self._leaving: dict[int, asyncio.TimerHandle] = {}
        self._watchers: dict[int, set[int]] = defaultdict(set)  # subject -> local watcher ids
        self._watching: dict[int, set[int]] = defaultdict(set)  # watcher -> subjects
        self._closed_listeners: list[Callable[[int], None]] = []
        self._change_listeners: list[Change] = []
        # fn(subject_id, watcher_ids) -> the watchers that may be told (privacy), blocking:
        # run off the loop, one call per change and process; None tells everyone who watches.
        self._watch_filter: Callable[[int, list[int]], set[int]] | None = None
        self._pushes: asyncio.Lock | None = None
        self._queue: asyncio.Queue | None = None
        self._tasks: list[asyncio.Task] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failing = False

    # --- wiring ---------------------------------------------------------------------
    def on_socket_closed(self, fn: Callable[[int], None]) -> None:
        """Call fn(user_id) on the event loop whenever one of a user's sockets here closes."""
        if fn not in self._closed_listeners:
            self._closed_listeners.append(fn)

    def on_change(self, fn: Change) -> None:
        """Call fn(user_id, online, last_seen_ts) once per change, in the process that decided it."""
        if fn not in self._change_listeners:
            self._change_listeners.append(fn)

    def filter_watchers(self, fn: Callable[[int, list[int]], set[int]] | None) -> None:
        """Ask fn(subject_id, watcher_ids) before each presence push: only those it returns get it.

        fn queries (the database), so it runs on asgiref's sync thread; pushes of a process stay
        in order (one at a time)."""
        self._watch_filter = fn

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.store = make_store()
        self._queue = asyncio.Queue()
        self._tasks = [
            asyncio.create_task(self._work(), name="parley-presence"),
            asyncio.create_task(self._beat(), name="parley-presence-heartbeat"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        for handle in self._leaving.values():
            handle.cancel()
        self._tasks, self._queue, self._loop, self.store, self._pushes = [], None, None, None, None
        self._local.clear()
        self._leaving.clear()
        self._watchers.clear()
        self._watching.clear()

    # --- sockets (event loop) ------------------------------------------------------
    def socket_opened(self, user_id: int) -> None:
        count = self._local.get(user_id, 0) + 1
        self._local[user_id] = count
        if count == 1:
            leaving = self._leaving.pop(user_id, None)
            if leaving is not None:
                leaving.cancel()  # back within the grace: still present in the store
            else:
                self._submit(("up", user_id))

    def socket_closed(self, user_id: int) -> None:
        count = self._local.get(user_id, 0) - 1
        for fn in self._closed_listeners:
            try:
                fn(user_id)
            except Exception:
                logger.exception("a socket-closed listener failed")
        if count > 0:
            self._local[user_id] = count
            return
        self._local.pop(user_id, None)
        for subject in self._watching.pop(user_id, ()):
            watchers = self._watchers.get(subject)
            if watchers is not None:
                watchers.discard(user_id)
                if not watchers:
                    del self._watchers[subject]
        if self._loop is None:
            return
        grace = float(settings.PARLEY_PRESENCE_GRACE)
        if grace <= 0:
            self._submit(("down", user_id))
        else:
            self._leaving[user_id] = self._loop.call_later(grace, self._left, user_id)

    def _left(self, user_id: int) -> None:
        self._leaving.pop(user_id, None)
        if user_id not in self._local:
            self._submit(("down", user_id))

    def watch(self, watcher_id: int, subject_id: int) -> bool:
        """Push `subject_id`'s presence changes to `watcher_id`'s sockets here, while they are open.

        Call it on the event loop; False (nothing registered) when the watcher has no socket
        here (the HTTP fallback) or this process runs no server loop.
        """
        if watcher_id not in self._local or not self._on_loop():
            return False
        self._watchers[subject_id].add(watcher_id)
        self._watching[watcher_id].add(subject_id)
        return True

    def is_online(self, user_id: int) -> bool:
        """Whether the user has an open socket on any process. Blocking (Redis): off the loop."""
        if user_id in self._local:
            return True
        if self.store is None:  # no server loop here (a command, a test's client): ask the store anyway
            self.store = make_store()
        try:
            online = self.store.is_online(user_id)
        except Exception as exc:  # Redis is down: say so rather than guess "offline"
            self._lookups.failed(exc)
            raise Unavailable() from None
        self._lookups.ok()
        return online

    def has_local_socket(self, user_id: int) -> bool:
        """Whether the user has a socket open on this process: a dict lookup, safe off the loop."""
        return user_id in self._local

    def online_among(self, user_ids) -> set[int]:
        """Those of these users with a socket open on any process that shares the store
        (every process with Redis; with the in-process store, only this one, if it serves).
        Blocking (Redis): off the loop. Raises Unavailable when Redis cannot be asked."""
        user_ids = list(user_ids)
        here = {uid for uid in user_ids if uid in self._local}
        rest = [uid for uid in user_ids if uid not in here]
        if not rest:
            return here
        if self.store is None:  # no server loop here (the task worker, a command): ask the store anyway
            self.store = make_store()
        try:
            online = self.store.online_among(rest)
        except Exception as exc:
            self._lookups.failed(exc)
            raise Unavailable() from None
        self._lookups.ok()
        return here | online

    def local_user_ids(self) -> list[int]:
        return list(self._local)

    # --- changes (event loop) --------------------------------------------------------
    def control(self, user_id: int, message: dict) -> None:
        """A change broadcast by some process: push it to the local watchers of the user."""
        watchers = self._watchers.get(user_id)
        if not watchers:
            return
        frame = orjson.dumps({"type": "signal", "signal": "presence", "data": {
            "user_id": user_id, "online": bool(message.get("online")), "last_seen_at": message.get("last_seen_at")}}).decode()
        if self._watch_filter is None:
            for watcher in tuple(watchers):
                hub.deliver(watcher, 0, frame)
            return
        task = asyncio.get_running_loop().create_task(self._push_filtered(user_id, list(watchers), frame))
        self._tasks.append(task)
        task.add_done_callback(lambda t: t in self._tasks and self._tasks.remove(t))

    async def _push_filtered(self, user_id: int, watchers: list[int], frame: str) -> None:
        if self._pushes is None:
            self._pushes = asyncio.Lock()
        async with self._pushes:  # one at a time, so a person's changes arrive in order
            try:
                allowed = await sync_to_async(self._watch_filter)(user_id, watchers)
            except Exception as exc:  # the database is down: tell no one rather than too much
                logger.warning("presence privacy check failed: %s: %s", exc.__class__.__name__, exc)
                return
            for watcher in watchers:
                if watcher in allowed:
                    hub.deliver(watcher, 0, frame)

    def _announce(self, user_id: int, online: bool, last_seen: float | None) -> None:
        for fn in self._change_listeners:
            try:
                fn(user_id, online, last_seen)
            except Exception:
                logger.exception("a presence change listener failed")
        get_broker().publish_control(user_id, {"type": CONTROL_TYPE, "online": online, "last_seen_at": iso(last_seen)})

    # --- the worker: store operations in order, off the loop for Redis ------------------
    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def _submit(self, op: tuple) -> None:
        if self._queue is not None:
            self._queue.put_nowait(op)

    async def _run(self, fn, *args):
        if isinstance(self.store, MemoryPresenceStore):
            return fn(*args)
        return await asyncio.to_thread(fn, *args)

    async def _work(self) -> None:
        while True:
            op = await self._queue.get()
            try:
                await self._apply(op)
                if self._failing:
                    self._failing = False
                    logger.warning("presence store recovered.")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis down: presence is best-effort; the heartbeat repairs it
                if not self._failing:  # once per outage, not once per operation
                    self._failing = True
                    logger.warning("presence %s failed (%s: %s); retrying with each heartbeat.", op[0], exc.__class__.__name__, exc)

    async def _apply(self, op: tuple) -> None:
        now = time.time()
        if op[0] == "up":
            if op[1] in self._local:
                for uid in await self._run(self.store.up, [op[1]], now):
                    self._announce(uid, True, None)
        elif op[0] == "down":
            if op[1] not in self._local and await self._run(self.store.down, op[1], now):
                self._announce(op[1], False, now)
        elif op[0] == "beat":
            local = self.local_user_ids() + list(self._leaving)
            if local:
                for uid in await self._run(self.store.up, local, now):
                    self._announce(uid, True, None)  # reaped while this process stalled
            for uid, seen in await self._run(self.store.reap, now):
                self._announce(uid, False, seen)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(max(0.2, float(settings.PARLEY_PRESENCE_TTL) / 3))
            self._submit(("beat",))


tracker = PresenceTracker()
hub.control_handlers[CONTROL_TYPE] = tracker.control

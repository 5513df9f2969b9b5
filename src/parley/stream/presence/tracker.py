"""This process's part of presence: local sockets, the grace before "gone", the watchers and
the pushes (`PresenceTracker`, one per process: `tracker`)."""

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable

import orjson
from asgiref.sync import sync_to_async

from parley.conf import settings
from parley.core.aio import cancel_all
from parley.core.errors import Unavailable
from parley.core.outage import OutageLog

from ..broker import get_broker
from ..hub import hub

from .stores import MemoryPresenceStore, iso, make_store

logger = logging.getLogger("parley.presence")

CONTROL_TYPE = "presence"


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
        await cancel_all(self._tasks)
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

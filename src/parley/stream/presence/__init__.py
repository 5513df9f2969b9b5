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

from .stores import MemoryPresenceStore, RedisPresenceStore, iso, make_store
from .tracker import CONTROL_TYPE, PresenceTracker, tracker

__all__ = ["CONTROL_TYPE", "MemoryPresenceStore", "PresenceTracker", "RedisPresenceStore", "iso", "make_store", "tracker"]

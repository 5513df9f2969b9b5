"""Where presence is kept: in this process (`MemoryPresenceStore`) or in Redis across processes
(`RedisPresenceStore`). The package's docstring says how entries live and expire."""

import time
import uuid
from datetime import UTC, datetime

from parley.conf import settings


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

"""The presence stores: the one-process memory store, and the Redis store shared by processes,
whose entries expire unless refreshed, so a dead process's users go offline (reaping)."""

import uuid

import pytest

from parley.stream.presence import MemoryPresenceStore, RedisPresenceStore, iso
from tests.support.services import REDIS_URL


def test_memory_store_marks_users_present_and_gone():
    store = MemoryPresenceStore()
    assert store.up([1, 2], 0) == [1, 2]
    assert store.up([1], 1) == [], "already present: no change"
    assert store.is_online(1) and store.is_online(2)
    assert store.down(1, 2) is True and not store.is_online(1)
    assert store.reap(100) == []


@pytest.fixture
def redis_stores(require_redis):
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    a = RedisPresenceStore(REDIS_URL, prefix=prefix, ttl=30, process_id="a")
    b = RedisPresenceStore(REDIS_URL, prefix=prefix, ttl=30, process_id="b")
    yield a, b
    for key in a.redis.scan_iter(f"{prefix}:*"):
        a.redis.delete(key)


def test_redis_store_one_change_per_transition_across_processes(redis_stores):
    a, b = redis_stores
    now = 1_000_000.0
    assert a.up([7], now) == [7], "first socket anywhere: online"
    assert b.up([7], now + 1) == [], "a second process: no change"
    assert a.down(7, now + 2) is False, "still on b"
    assert b.down(7, now + 3) is True, "gone from both: offline, decided once"
    assert b.reap(now + 100) == [], "nothing left to reap"


def test_redis_store_reaps_a_dead_process_once_and_not_a_live_one(redis_stores):
    a, b = redis_stores
    now = 1_000_000.0
    a.up([7, 8], now)
    b.up([8], now)
    # b refreshes (heartbeat); a stops (killed) after its last refresh at `now`.
    b.up([8], now + 20)
    gone = b.reap(now + 31)
    assert gone == [(7, now)], "7 was only on the dead process: last seen at its last heartbeat"
    assert a.reap(now + 31) == [] and b.reap(now + 40) == [], "reaped once"
    # A stalled process that comes back re-announces its users.
    assert a.up([7], now + 41) == [7]
    assert iso(now) == "1970-01-12T13:46:40Z"

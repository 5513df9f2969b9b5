"""The batched rate limiter on the in-process cache and on a real Redis cache."""

import uuid

import pytest
from django.core.cache import DEFAULT_CACHE_ALIAS, caches

from parley.core.errors import RateLimited
from parley.core.ratelimit import rate_limit_many
from tests.support.services import REDIS_URL


@pytest.fixture(params=["locmem", "redis"])
def backend(request, settings):
    """The default cache as each backend, with a key prefix of this test's own."""
    if request.param == "redis":
        request.getfixturevalue("require_redis")
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": REDIS_URL, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                       "LOCATION": f"test-{uuid.uuid4().hex}"}}
    cache = caches[DEFAULT_CACHE_ALIAS]
    yield cache
    # Never cache.clear() on Redis: it flushes the whole database, not just this prefix.
    cache.delete_many(_keys(cache))


def verdicts(results):
    return ["ok" if r is None else "limited" for r in results]


def test_repeated_keys_in_one_call_are_counted_in_order(backend):
    results = rate_limit_many(["a", "b", "a", "a", "b", "a"], rate="3/60")
    assert verdicts(results) == ["ok", "ok", "ok", "ok", "ok", "limited"]
    refused = results[-1]
    assert isinstance(refused, RateLimited) and refused.code == "rate_limited"
    assert 1 <= refused.details["retry_after"] <= 60


def test_counts_carry_over_between_calls_and_keys_are_independent(backend):
    assert verdicts(rate_limit_many(["a", "a"], rate="3/60")) == ["ok", "ok"]
    assert verdicts(rate_limit_many(["a", "a", "c"], rate="3/60")) == ["ok", "limited", "ok"]
    assert verdicts(rate_limit_many(["a"], rate="3/60")) == ["limited"]


def test_counters_stay_plain_cache_integers_with_an_expiry(backend):
    """The batched path writes what cache.get/incr read, and the window's counter expires."""
    rate_limit_many(["k", "k"], rate="5/60")
    [key] = [k for k in _keys(backend) if ":send" not in k and "parley:rl:k:" in k]
    assert backend.get(key) == 2
    assert backend.incr(key) == 3
    if hasattr(backend, "_cache") and hasattr(backend._cache, "get_client"):
        ttl = backend._cache.get_client().ttl(backend.make_and_validate_key(key))
        assert 0 < ttl <= 61


def _keys(cache):
    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):  # Redis: strip the prefix and version
        prefix = cache.make_and_validate_key("")
        return [k.decode()[len(prefix):] for k in cache._cache.get_client().keys(prefix + "*")]
    return [k.split(":", 2)[2] for k in cache._cache]  # locmem: "<prefix>:<version>:<key>"


def test_a_cache_outage_fails_open(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    assert rate_limit_many(["a"] * 5, rate="1/60") == [None] * 5


def test_the_configured_cache_keeps_counters_of_many_active_senders():
    """The project's own cache (LocMem in one process) must not cull live counters."""
    prefix = uuid.uuid4().hex
    keys = [f"{prefix}:{n}" for n in range(1000)]
    assert rate_limit_many(keys, rate="1/60") == [None] * 1000
    refused = rate_limit_many(keys, rate="1/60")
    assert all(isinstance(r, RateLimited) for r in refused), "a counter was dropped while its window was live"

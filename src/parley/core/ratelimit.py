"""Fixed-window rate limits per user, kept in the cache so every process shares them."""

import logging
import time
from collections import Counter

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext_lazy as _

from .errors import RateLimited, lazy_format

logger = logging.getLogger("parley.ratelimit")
_cache_down_logged_at = 0.0

# The windows' wall clock. A module attribute so tests move time instead of sleeping past a
# window (tests/conftest.py, `rate_clock`); read on every call, never captured.
clock = time.time


def parse_rate(rate: str) -> tuple[int, int]:
    """Parse "N/S" (N actions per S seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 1)


def rate_limit_many(keys: list[str], *, rate: str) -> list[RateLimited | None]:
    """Count one action under each key, in order (a key may repeat); one cache round trip on Redis.

    Return, per key, None where the action is allowed and the RateLimited error where it is
    not. The send path calls this once per batch (docs/benchmarks.md).
    """
    limit, window = parse_rate(rate)
    now = clock()
    bucket = int(now // window)
    wanted = Counter(keys)
    try:
        totals = _count_many({key: (f"parley:rl:{key}:{bucket}", n) for key, n in wanted.items()}, window)
    except Exception as exc:  # the cache (Redis) is down: fail open, the database is the truth
        _log_cache_down(exc)
        return [None] * len(keys)
    retry_after = max(1, int((bucket + 1) * window - now + 0.999))
    seen: Counter = Counter()
    out: list[RateLimited | None] = []
    for key in keys:
        seen[key] += 1
        if totals[key] - wanted[key] + seen[key] <= limit:
            out.append(None)
        else:
            out.append(RateLimited(
                lazy_format(_("You are sending too fast. Try again in %(seconds)d s."), seconds=retry_after),
                retry_after=retry_after,
            ))
    return out


def _count_many(wanted: dict[str, tuple[str, int]], window: int) -> dict[str, int]:
    """Add n to each cache counter, created for this window if new; return {key: count after}."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, RedisCache):
        # One pipelined round trip: SET NX with the window's expiry, then INCRBY, per counter.
        # Django's Redis cache stores integers as plain Redis integers, so these stay
        # readable by cache.get/incr.
        client = cache._cache.get_client(write=True)
        pipe = client.pipeline(transaction=False)
        for cache_key, n in wanted.values():
            redis_key = cache.make_and_validate_key(cache_key)
            pipe.set(redis_key, 0, ex=window + 1, nx=True)
            pipe.incrby(redis_key, n)
        replies = pipe.execute()
        return {key: int(total) for key, total in zip(wanted, replies[1::2])}
    totals = {}
    for key, (cache_key, n) in wanted.items():
        cache.add(cache_key, 0, timeout=window + 1)
        try:
            totals[key] = cache.incr(cache_key, n)
        except ValueError:  # evicted between add and incr
            cache.set(cache_key, n, timeout=window + 1)
            totals[key] = n
    return totals


def _log_cache_down(exc: Exception) -> None:
    """Warn at most once a minute: sends go on unlimited while the cache is unreachable."""
    global _cache_down_logged_at
    now = time.monotonic()
    if now - _cache_down_logged_at > 60:
        _cache_down_logged_at = now
        logger.warning("rate limits are off: the cache is unreachable (%s: %s)", exc.__class__.__name__, exc)

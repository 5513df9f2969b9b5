"""Fixed-window rate limits per user, kept in the cache so every process shares them."""

import logging
import time
from collections import Counter
from collections.abc import Sequence

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


def rate_limit_many(
    keys: list[str], *, rate: "str | Sequence[str]", message=None
) -> list[RateLimited | None]:
    """Count one action under each key, in order (a key may repeat); one cache round trip on Redis.

    `rate` is one "N/S" for every key, or a list with one rate per key (a repeated key must keep
    its rate), so callers with several tiers (new and established accounts) still make one call.
    `message` is a lazy template with %(seconds)d (default: "sending too fast").
    Return, per key, None where the action is allowed and the RateLimited error where it is
    not. The send path calls this once per batch (docs/benchmarks.md).
    """
    rates = [rate] * len(keys) if isinstance(rate, str) else list(rate)
    now = clock()
    wanted = Counter(keys)
    limits: dict[str, tuple[int, int]] = {}
    for key, key_rate in zip(keys, rates):
        limits.setdefault(key, parse_rate(key_rate))
    # The window is in the counter's name, so a key whose rate changes starts a fresh counter.
    counters = {}
    for key, n in wanted.items():
        window = limits[key][1]
        counters[key] = (f"parley:rl:{key}:{window}:{int(now // window)}", n, window)
    try:
        totals = _count_many(counters)
    except Exception as exc:  # the cache (Redis) is down: fail open, the database is the truth
        _log_cache_down(exc)
        return [None] * len(keys)
    seen: Counter = Counter()
    out: list[RateLimited | None] = []
    for key in keys:
        seen[key] += 1
        limit, window = limits[key]
        if totals[key] - wanted[key] + seen[key] <= limit:
            out.append(None)
        else:
            out.append(_refusal(retry_after(window, now), message))
    return out


def retry_after(window: int, now: float) -> int:
    """Whole seconds (at least 1) until the fixed window that holds `now` ends."""
    return max(1, int((int(now // window) + 1) * window - now + 0.999))


def _refusal(seconds: int, message=None) -> RateLimited:
    template = message or _("You are sending too fast. Try again in %(seconds)d s.")
    return RateLimited(lazy_format(template, seconds=seconds), retry_after=seconds)


def counts(keys: list[str], *, rate: str) -> dict[str, int]:
    """Read, without counting anything, each key's count in the current window of `rate`.

    For limits checked before the action and counted only when it fails (log-in throttling).
    A cache outage reads as zero (fail open, as rate_limit_many does).
    """
    window = parse_rate(rate)[1]
    bucket = int(clock() // window)
    names = {key: f"parley:rl:{key}:{window}:{bucket}" for key in keys}
    try:
        found = caches[DEFAULT_CACHE_ALIAS].get_many(list(names.values()))
    except Exception as exc:
        _log_cache_down(exc)
        return dict.fromkeys(keys, 0)
    return {key: int(found.get(name) or 0) for key, name in names.items()}


def _count_many(wanted: dict[str, tuple[str, int, int]]) -> dict[str, int]:
    """Add n to each cache counter, created for this window if new; return {key: count after}."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, RedisCache):
        # One pipelined round trip: SET NX with the window's expiry, then INCRBY, per counter.
        # Django's Redis cache stores integers as plain Redis integers, so these stay
        # readable by cache.get/incr.
        client = cache._cache.get_client(write=True)
        pipe = client.pipeline(transaction=False)
        for cache_key, n, window in wanted.values():
            redis_key = cache.make_and_validate_key(cache_key)
            pipe.set(redis_key, 0, ex=window + 1, nx=True)
            pipe.incrby(redis_key, n)
        replies = pipe.execute()
        return {key: int(total) for key, total in zip(wanted, replies[1::2])}
    totals = {}
    for key, (cache_key, n, window) in wanted.items():
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

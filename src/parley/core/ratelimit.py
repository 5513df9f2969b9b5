"""Fixed-window rate limits per user, kept in the cache so every process shares them."""

import logging
import time

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .errors import RateLimited, lazy_format

logger = logging.getLogger("parley.ratelimit")
_cache_down_logged_at = 0.0


def parse_rate(rate: str) -> tuple[int, int]:
    """Parse "N/S" (N actions per S seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 1)


def rate_limit(*, key: str, rate: str) -> None:
    """Count one action under `key`; raise RateLimited with retry_after past the limit."""
    limit, window = parse_rate(rate)
    now = time.time()
    bucket = int(now // window)
    cache_key = f"parley:rl:{key}:{bucket}"
    try:
        count = _count(cache_key, window)
    except Exception as exc:  # the cache (Redis) is down: fail open, the database is the truth
        _log_cache_down(exc)
        return
    if count > limit:
        retry_after = max(1, int((bucket + 1) * window - now + 0.999))
        raise RateLimited(
            lazy_format(_("You are sending too fast. Try again in %(seconds)d s."), seconds=retry_after),
            retry_after=retry_after,
        )


def _count(cache_key: str, window: int) -> int:
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        return cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        return 1


def _log_cache_down(exc: Exception) -> None:
    """Warn at most once a minute: sends go on unlimited while the cache is unreachable."""
    global _cache_down_logged_at
    now = time.monotonic()
    if now - _cache_down_logged_at > 60:
        _cache_down_logged_at = now
        logger.warning("rate limits are off: the cache is unreachable (%s: %s)", exc.__class__.__name__, exc)

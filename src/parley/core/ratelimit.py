"""Fixed-window rate limits per user, kept in the cache so every process shares them."""

import time

from django.core.cache import cache

from .errors import RateLimited


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
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        retry_after = max(1, int((bucket + 1) * window - now + 0.999))
        raise RateLimited(
            f"You are sending too fast. Try again in {retry_after} s.", retry_after=retry_after
        )

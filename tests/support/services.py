"""Which external services this run has, and how a missing one is reported.

PostgreSQL, Redis and Chromium tests are skipped with the reason when the service is
missing, unless PARLEY_REQUIRE_SERVICES=1 (CI sets it), which turns the skip into a failure.
"""

import os
import shutil
import socket
from functools import lru_cache

import pytest

REQUIRE = os.environ.get("PARLEY_REQUIRE_SERVICES", "") == "1"
PG_URL = os.environ.get("PARLEY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PARLEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@lru_cache(maxsize=None)
def postgres_missing() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=2) as conn:
            conn.execute("select 1")
    except Exception as exc:  # any failure means "not here"; the reason is printed
        return f"PostgreSQL is not reachable at {PG_URL} ({exc.__class__.__name__}: {str(exc).strip()[:120]})"
    return None


@lru_cache(maxsize=None)
def redis_missing() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:
        return f"Redis is not reachable at {REDIS_URL} ({exc.__class__.__name__})"
    return None


@lru_cache(maxsize=None)
def chromium_missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


def need(reason: str | None) -> None:
    """Skip (or, with PARLEY_REQUIRE_SERVICES=1, fail) when a service is missing."""
    if reason is None:
        return
    if REQUIRE:
        pytest.fail(f"{reason}; PARLEY_REQUIRE_SERVICES=1 makes it compulsory", pytrace=False)
    pytest.skip(reason)

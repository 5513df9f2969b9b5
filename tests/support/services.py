"""Which external services this run has, and how a missing one is reported.

PostgreSQL, Redis, Chromium and node (the client's unit tests) tests are skipped with the reason when the service is
missing, unless PARLEY_REQUIRE_SERVICES=1 (CI sets it), which turns the skip into a failure.
"""

import os
import shutil
import socket
import subprocess
from functools import lru_cache

import pytest

REQUIRE = os.environ.get("PARLEY_REQUIRE_SERVICES", "") == "1"
PG_URL = os.environ.get("PARLEY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PARLEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = os.environ.get("PARLEY_CHROMIUM", "/usr/bin/chromium")
NODE = os.environ.get("PARLEY_NODE", "node")
NODE_MIN_MAJOR = 18  # node --test and its directory argument


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


@lru_cache(maxsize=None)
def node_missing() -> str | None:
    found = shutil.which(NODE)
    if not found:
        return f"node is not installed ({NODE} is not on PATH; apt-get install nodejs)"
    try:
        version = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        major = int(version.lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return f"node at {found} does not answer --version ({exc.__class__.__name__})"
    if major < NODE_MIN_MAJOR:
        return f"node {version} at {found} is too old: the client's tests need node {NODE_MIN_MAJOR} or later"
    return None


def need(reason: str | None) -> None:
    """Skip (or, with PARLEY_REQUIRE_SERVICES=1, fail) when a service is missing."""
    if reason is None:
        return
    if REQUIRE:
        pytest.fail(f"{reason}; PARLEY_REQUIRE_SERVICES=1 makes it compulsory", pytrace=False)
    pytest.skip(reason)

import pytest

from tests.support.live import LiveServer
from tests.support.schema_check import (  # noqa: F401  (every committed event matches its schema)
    _committed_events_match_their_schemas,
    _schema_check_sink,
    pytest_sessionfinish,
)
from tests.support.services import chromium_missing, need, node_missing, postgres_missing, redis_missing


def pytest_report_header(config):
    lines = []
    for name, reason in (("PostgreSQL", postgres_missing()), ("Redis", redis_missing()), ("Chromium", chromium_missing()), ("node", node_missing())):
        lines.append(f"parley: {name}: {'available' if reason is None else 'MISSING - ' + reason + ' (its tests are skipped)'}")
    return lines


@pytest.fixture(scope="session")
def live_server_proc(tmp_path_factory):
    """One real Parley server (SQLite, memory broker, demo data) shared by a test session."""
    server = LiveServer(workdir=tmp_path_factory.mktemp("live")).start()
    yield server
    server.stop()


@pytest.fixture
def require_postgres():
    need(postgres_missing())


@pytest.fixture
def require_redis():
    need(redis_missing())


@pytest.fixture
def require_chromium():
    need(chromium_missing())


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """Give the SQLite test database a file (WAL, IMMEDIATE, busy timeout), not shared-cache memory.

    Concurrency tests need real SQLite locking between threads, as in production.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "test_parley.sqlite3")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, dropped at the session's end even while other threads
    still hold connections to it (the send path's writer threads, the notifications' flush
    thread): on PostgreSQL their sessions are ended first, or DROP DATABASE fails and the
    database stays behind, one per run (tests/test_test_database.py)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture
def no_rate_limit(settings):
    """Service tests send many messages; the rate limit has its own tests."""
    from django.core.cache import cache

    settings.PARLEY_SEND_RATE = settings.PARLEY_NEW_ACCOUNT_SEND_RATE = "1000000/1"
    settings.PARLEY_START_RATE = settings.PARLEY_NEW_ACCOUNT_START_RATE = "1000000/1"
    settings.PARLEY_READ_RATE = settings.PARLEY_SYNC_RATE = "1000000/1"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(monkeypatch):
    """Record what the broker is asked to publish: a list of (user_id, frame dict)."""
    import orjson

    from parley.stream.broker import get_broker

    calls: list[tuple[int, dict]] = []

    def publish_many(frames):
        calls.extend((user_id, orjson.loads(frame)) for user_id, _seq, frame in frames)

    monkeypatch.setattr(get_broker(), "publish_many", publish_many)
    return calls


class ManualClock:
    """A clock that moves only when told: `advance(seconds)`. Calling it returns the time."""

    def __init__(self, now: float):
        self.now = float(now)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def rate_clock(monkeypatch):
    """The rate limiter's clock, stopped 0.5 s into a fresh fixed window; move it with advance().

    It starts at a random hour far from now (aligned to every window that divides an hour),
    so no counter of another test, run or process shares its windows, on LocMem or Redis.
    """
    import random

    from parley.core import ratelimit

    clock = ManualClock(random.randrange(10**6, 10**7) * 3600 + 0.5)
    monkeypatch.setattr(ratelimit, "clock", clock)
    return clock


@pytest.fixture
def capture_events():
    """tests.support.events.capture_events, as a fixture for tests that prefer one."""
    from tests.support.events import capture_events

    return capture_events


@pytest.fixture
def fresh_broker(settings):
    """This process's broker made anew for the test, on a Redis channel prefix of its own,
    so no other test process sharing the Redis server pushes into its hub."""
    import uuid

    from parley.stream.broker import get_broker

    settings.PARLEY_REDIS_PREFIX = f"test-{uuid.uuid4().hex[:12]}"
    get_broker.cache_clear()
    yield
    get_broker.cache_clear()


@pytest.fixture(autouse=True)
def fresh_batchers(monkeypatch):
    """New group-commit batchers for every test. Their writer threads' database connections
    are closed afterwards, so the test database can be flushed and, on PostgreSQL, dropped
    at the end of the run (an open session makes DROP DATABASE fail)."""
    import asyncio

    from parley.realtime import dispatch
    from tests.support.asgi import close_batcher_connections

    batchers: dict = {}
    monkeypatch.setattr(dispatch, "_batchers", batchers)
    yield batchers
    if any(b._executor is not None for b in batchers.values()):
        asyncio.run(close_batcher_connections(batchers))

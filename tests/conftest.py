import pytest

from tests.support.live import LiveServer
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


@pytest.fixture
def no_rate_limit(settings):
    """Service tests send many messages; the rate limit has its own tests."""
    from django.core.cache import cache

    settings.PARLEY_SEND_RATE = "1000000/1"
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

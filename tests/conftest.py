import pytest

from tests.support.live import LiveServer
from tests.support.services import chromium_missing, need, postgres_missing, redis_missing


def pytest_report_header(config):
    lines = []
    for name, reason in (("PostgreSQL", postgres_missing()), ("Redis", redis_missing()), ("Chromium", chromium_missing())):
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

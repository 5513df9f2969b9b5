import pytest

from tests.support.live import LiveServer, drop_postgres_database, fresh_postgres_url
from tests.support.pg_proc import PostgresCluster, pg_cluster_missing
from tests.support.redis_proc import RedisProcess, redis_server_missing
from tests.support.services import PG_URL, need


@pytest.fixture
def private_redis(require_redis):
    """A Redis of this test's own, which it may stop and restart."""
    need(redis_server_missing())
    server = RedisProcess().start()
    yield server
    server.stop()


@pytest.fixture
def pg_database(require_postgres):
    """A fresh database on the shared PostgreSQL, dropped afterwards."""
    url = fresh_postgres_url(PG_URL)
    yield url
    drop_postgres_database(url)


@pytest.fixture
def pg_cluster(require_postgres):
    """A PostgreSQL cluster of this test's own, which it may stop and restart."""
    need(pg_cluster_missing())
    cluster = PostgresCluster().init()
    yield cluster
    cluster.destroy()


@pytest.fixture
def two_servers(pg_database, private_redis, tmp_path):
    """Two server processes on one fresh PostgreSQL database and one private Redis."""
    env = {"REDIS_URL": private_redis.url}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # One after the other: both run migrate and load the demo data at start.
    a = LiveServer(database_url=pg_database, env=env, workdir=tmp_path / "a").start()
    b = LiveServer(database_url=pg_database, env=env, workdir=tmp_path / "b").start()
    yield a, b
    a.stop()
    b.stop()

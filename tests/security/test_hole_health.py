"""Hole 4 of issue 16: a Redis outage must not fail the readiness check; liveness is separate."""

import socket

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from parley.stream.broker import get_broker

READINESS = ["/healthz", "/healthz/ready"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on exit: nothing listens there


@pytest.fixture
def redis_down(settings):
    """This process's broker is a RedisBroker pointed at a closed port."""
    settings.PARLEY_BROKER = "redis"
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    get_broker.cache_clear()
    assert get_broker().__class__.__name__ == "RedisBroker"
    yield
    get_broker.cache_clear()


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)


@pytest.mark.django_db
@pytest.mark.parametrize("path", READINESS)
def test_redis_down_is_degraded_not_unready(client, redis_down, path):
    r = client.get(path)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["database"] == "ok"
    assert body["broker"] == {"kind": "RedisBroker", "status": "degraded"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", READINESS)
def test_all_up_is_ready(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert r.json()["database"] == "ok" and r.json()["broker"]["status"] == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize("path", READINESS)
def test_database_down_is_unready(client, database_down, path):
    r = client.get(path)
    assert r.status_code == 503
    assert r.json()["database"].startswith("down")


@pytest.mark.django_db
@pytest.mark.parametrize("broken", ["nothing", "redis_down", "database_down"])
def test_liveness_answers_whatever_is_down(client, request, broken):
    if broken != "nothing":
        request.getfixturevalue(broken)
    r = client.get("/healthz/live")
    assert r.status_code == 200 and r.json() == {"status": "ok"}

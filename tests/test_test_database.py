"""The suite leaves no PostgreSQL test database behind, even when threads still hold
connections to it at the end (tests/conftest.py's django_db_setup)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg

from tests.support.services import PG_URL, need, postgres_missing

ROOT = Path(__file__).resolve().parent.parent


def test_a_postgresql_test_database_is_dropped_though_a_thread_holds_a_connection():
    need(postgres_missing())
    name = f"test_parley_probe_{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DATABASE_URL": PG_URL, "PARLEY_TEST_DB_NAME": name}
    env.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", "-W", "error::pytest.PytestWarning",
         "tests/support/db_teardown_probe.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    try:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert f"PROBE_DB {name}" in result.stdout  # the probe ran, on PostgreSQL, holding a second connection
        assert "Error when trying to teardown test databases" not in result.stdout + result.stderr
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            left = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name]).fetchone()[0]
        assert left == 0, f"{name} was left behind"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

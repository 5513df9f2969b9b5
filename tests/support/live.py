"""A real Parley server process for protocol, browser and fault tests.

Each LiveServer runs `python -m parley serve` on a free 127.0.0.1 port with its own
database (a fresh SQLite file, or a fresh PostgreSQL database) and the demo data.
"""

import hashlib
import os
import tempfile
import uuid
from pathlib import Path

import httpx

from tests.support.server import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["LiveServer", "free_port", "fresh_postgres_url", "drop_postgres_database"]


def fresh_postgres_url(base_url: str) -> str:
    """Create an empty database beside base_url's and return its URL."""
    import psycopg

    name = f"parley_live_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class LiveServer(ServerProcess):
    def __init__(self, *, database_url: str | None = None, env: dict | None = None, workdir: Path | None = None):
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="parley-live-"))
        self.database_url = database_url or f"sqlite:///{self.workdir / 'db.sqlite3'}"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws/"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "parley.settings",
            "PARLEY_VAR_DIR": str(self.workdir),
            "DATABASE_URL": self.database_url,
            "PARLEY_DEMO": "1",
            "SECRET_KEY": "live-test-secret-key-" + "x" * 40,
            "PARLEY_SEND_RATE": "1000/1",
            "PARLEY_SYNC_RATE": "1000/1",
            "PARLEY_READ_RATE": "1000/1",
            "PARLEY_START_RATE": "",
            "PARLEY_NEW_ACCOUNT_HOURS": "0",  # test users are minutes old: no new-account tier
            # Servers on one database share a Redis channel prefix (they are one deployment);
            # servers on different databases must not hear each other's events through a
            # shared Redis (user ids repeat across the demo databases).
            "PARLEY_REDIS_PREFIX": "parley-" + hashlib.sha1(self.database_url.encode()).hexdigest()[:10],
            "PARLEY_PRESENCE_GRACE": "1",  # offline one second after the last socket closes
            **(env or {}),
        }
        super().__init__(port=self.port, env=self.env, log_path=self.workdir / "server.log", cwd=ROOT)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=10, follow_redirects=False)

    def login(self, username: str, password: str = "parley-demo") -> httpx.Client:
        """Return an httpx client logged in as username, with X-CSRFToken set for the API."""
        c = self.client()
        c.get("/accounts/login/")
        token = c.cookies["csrftoken"]
        r = c.post("/accounts/login/", data={"username": username, "password": password, "csrfmiddlewaretoken": token})
        assert r.status_code == 302, f"log-in as {username} failed: {r.status_code}"
        c.headers["X-CSRFToken"] = c.cookies["csrftoken"]
        c.headers["Referer"] = self.base_url + "/"
        return c

    def ws_headers(self, client: httpx.Client) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        return {"Cookie": cookie}

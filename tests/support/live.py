"""A real Parley server process for protocol, browser and fault tests.

Each LiveServer runs `python -m parley serve` on a free 127.0.0.1 port with its own
database (a fresh SQLite file, or a fresh PostgreSQL database) and the demo data.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


class LiveServer:
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
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / "server.log"

    def start(self, timeout: float = 60) -> "LiveServer":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "parley", "serve", "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.base_url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log()}")

    def stop(self, sig_kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if sig_kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

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

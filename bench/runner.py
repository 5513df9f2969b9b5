"""Orchestration pieces: a database with bench data, server processes, a load-generator process."""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tests.support.server import ServerProcess, free_port

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-key-" + "k" * 40


class Database:
    """A fresh SQLite file or a fresh PostgreSQL database, filled by bench.setup_data."""

    def __init__(self, kind: str, workdir: Path, pg_base: str | None = None):
        self.kind, self.workdir = kind, workdir
        self.pg_name = None
        if kind == "sqlite":
            self.url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
        else:
            import psycopg

            self.pg_base = pg_base
            self.pg_name = f"parley_bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(pg_base, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.pg_name}"')
            self.url = pg_base.rsplit("/", 1)[0] + "/" + self.pg_name
        self.sessions_path = workdir / f"sessions-{kind}-{uuid.uuid4().hex[:8]}.json"

    def env(self, extra: dict | None = None) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "parley.settings",
            "PARLEY_VAR_DIR": str(self.workdir),
            "DATABASE_URL": self.url,
            "SECRET_KEY": SECRET,
            "PARLEY_SEND_RATE": "100000/1",
            "PARLEY_SYNC_RATE": "100000/1",
            "PARLEY_READ_RATE": "100000/1",
            "PARLEY_START_RATE": "",
            "PARLEY_NEW_ACCOUNT_HOURS": "0",  # test users are minutes old: no new-account tier
            "PARLEY_WS_MAX_PER_USER": "100000",  # scenario c spreads many sockets over few users
            "PARLEY_DEMO": "0",
            "PARLEY_LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        env.update(extra or {})
        return env

    def populate(self, pairs: int) -> dict:
        subprocess.run(
            [sys.executable, "-m", "bench.setup_data", "--pairs", str(pairs), "--out", str(self.sessions_path)],
            cwd=ROOT, env=self.env(), check=True,
        )
        return json.loads(self.sessions_path.read_text())

    def drop(self) -> None:
        if self.pg_name:
            import psycopg

            with psycopg.connect(self.pg_base, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            self.pg_name = None


class Server(ServerProcess):
    """One `parley serve` process (one uvicorn worker: its pid is the server's), file limit raised."""

    def __init__(self, db: Database, workdir: Path, extra_env: dict | None = None, name: str = "server"):
        self.db = db
        port = free_port()
        super().__init__(
            port=port, env=db.env(extra_env), log_path=workdir / f"{name}-{port}.log", cwd=ROOT, module="bench.serve"
        )


def wait_quiet(pids, below_pct: float = 15.0, timeout: float = 90.0) -> float:
    """Wait until the servers are idle again (a saturated step leaves a backlog); return seconds waited."""
    from .procstat import cpu_seconds

    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        c0 = sum(cpu_seconds(p) for p in pids)
        time.sleep(1.0)
        if 100 * (sum(cpu_seconds(p) for p in pids) - c0) < below_pct:
            break
    return time.monotonic() - t0


class Profiler:
    """py-spy record on a server process (raw collapsed stacks, per thread) while a loadgen runs."""

    def __init__(self, pid: int, path: Path, rate: int = 250):
        self.path = path
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid), "--rate", str(rate),
             "--format", "raw", "--threads", "--nonblocking", "-o", str(path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def stop(self) -> Path:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.path


def run_loadgen(cfg: dict, workdir: Path, timeout: float = 900, on_ready=None) -> dict:
    """Run bench.loadgen in its own process and return its result.

    on_ready() is called once the load generator has connected and is about to send.
    """
    cfg = {"run_id": random.getrandbits(31), **cfg}
    tag = uuid.uuid4().hex[:8]
    cfg_path, out_path = workdir / f"loadgen-{tag}.json", workdir / f"loadgen-{tag}-result.json"
    ready = workdir / f"loadgen-{tag}.ready"
    if on_ready:
        cfg.update(ready_path=str(ready), ready_pause_s=1.0)
    cfg_path.write_text(json.dumps(cfg))
    if cfg.get("server_pids"):
        wait_quiet(cfg["server_pids"])
    proc = subprocess.Popen([sys.executable, "-m", "bench.loadgen", str(cfg_path), str(out_path)], cwd=ROOT)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None:
            if on_ready and ready.exists():
                on_ready()
                on_ready = None
            if time.monotonic() > deadline:
                raise TimeoutError(f"the load generator ran past {timeout}s")
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode:
        raise RuntimeError(f"the load generator exited with {proc.returncode}")
    return json.loads(out_path.read_text())


def git_state() -> dict:
    """Which server code was measured: the commit, and whether src/ had uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"), "src_dirty": bool(git("status", "--porcelain", "--", "src"))}


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="parley-bench-"))


def cleanup(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def pin(pid: int, cpus: set[int]) -> None:
    """Pin every thread of pid to cpus (threads it starts later inherit it), like `taskset -a -p`."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except (ProcessLookupError, PermissionError):
            pass


PEERS = ROOT / "bench" / "peers"


class PeerServer(ServerProcess):
    """A peer chat server the side-by-side scenario measures Parley beside (bench/peers).

    kind "socketio": the Node Socket.IO + pg server; "channels": the Django Channels chat under
    uvicorn (same --ws implementation and loop as `parley serve`). Both answer /healthz.
    """

    def __init__(self, kind: str, db: Database, workdir: Path, redis_url: str):
        self.kind = kind
        port = free_port()
        env = db.env({"PORT": str(port), "SESSION_COOKIE": "sessionid", "CHANNELS_REDIS_URL": redis_url,
                      "DJANGO_SETTINGS_MODULE": "bench.peers.channelschat.settings"})
        super().__init__(port=port, env=env, log_path=workdir / f"peer-{kind}-{port}.log", cwd=ROOT)
        self.name = f"{kind} peer"

    def command(self) -> list[str]:
        if self.kind == "socketio":
            return ["node", str(PEERS / "socketio" / "server.js")]
        return [sys.executable, "-m", "uvicorn", "bench.peers.channelschat.asgi:application", "--host", "127.0.0.1",
                "--port", str(self.port), "--ws", "websockets-sansio", "--loop", "uvloop", "--log-level", "warning",
                "--no-access-log"]

    def start(self, timeout: float = 60):
        if self.kind == "channels":  # the peer's own table, beside the bench data
            subprocess.run([sys.executable, "-m", "django", "migrate", "peerchat", "--verbosity", "0"],
                           cwd=ROOT, env=self.env, check=True)
        return super().start(timeout)


def peers_available() -> dict[str, str | None]:
    """Why each peer cannot run here (None: it can)."""
    import importlib.util
    import shutil as sh

    why = {"socketio": None, "channels": None}
    if not sh.which("node"):
        why["socketio"] = "node is not installed"
    elif not (PEERS / "node_modules" / "socket.io").is_dir():
        why["socketio"] = "bench/peers/node_modules is missing: `make bench` runs npm ci there"
    if importlib.util.find_spec("channels") is None or importlib.util.find_spec("channels_redis") is None:
        why["channels"] = "channels/channels_redis are not installed: `make bench` installs the bench extra"
    return why


PG_SETTINGS = ("autovacuum", "synchronous_commit", "fsync", "shared_buffers", "max_wal_size")


def postgres_settings(url: str) -> dict | None:
    """The shared PostgreSQL server's settings that move the figures (None if unreachable)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
            rows = conn.execute("SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)", [list(PG_SETTINGS)])
            return dict(rows.fetchall())
    except psycopg.Error:
        return None


class Autovacuum:
    """Turn the shared server's autovacuum on for the run (`--pg-autovacuum`), then put it back.

    Some machines run PostgreSQL with `autovacuum = off` (a CI configuration). No production
    server does, and a writer that updates rows (Parley moves read marks and the inbox's
    activity copy on every send) then piles up dead row versions for the whole ladder, where an
    insert-only writer (the Socket.IO peer) leaves none (docs/benchmarks.md). ALTER SYSTEM
    writes postgresql.auto.conf, so the exit resets it there, which restores the server's own
    configuration.
    """

    def __init__(self, url: str):
        self.url, self.changed = url, False

    def __enter__(self):
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=3, autocommit=True) as conn:
                if conn.execute("SHOW autovacuum").fetchone()[0] != "on":
                    conn.execute("ALTER SYSTEM SET autovacuum = on")
                    conn.execute("SELECT pg_reload_conf()")
                    self.changed = True
        except psycopg.Error as exc:  # unreachable: the PostgreSQL scenarios skip themselves, saying why
            print(f"--pg-autovacuum: not changed ({exc.__class__.__name__}: {exc})", file=sys.stderr)
        return self

    def __exit__(self, *exc):
        if self.changed:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute("ALTER SYSTEM RESET autovacuum")
                conn.execute("SELECT pg_reload_conf()")

"""A private PostgreSQL cluster on a free 127.0.0.1 port, for "the database stopped" tests.

PostgreSQL refuses to run as root, so when we are root the binaries run as `postgres`.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .live import free_port

PG_BIN = Path(os.environ.get("PARLEY_PG_BIN", "/usr/lib/postgresql/15/bin"))


def pg_cluster_missing() -> str | None:
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL server binaries are not in {PG_BIN} (apt-get install postgresql; or set PARLEY_PG_BIN)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "runuser is missing (needed to run PostgreSQL as the postgres user)"
    return None


class PostgresCluster:
    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="parley-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/parley"

    def _run(self, *args, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=check)

    def init(self) -> "PostgresCluster":
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        self._run(PG_BIN / "psql", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "-c", "CREATE DATABASE parley")
        return self

    def start(self) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.dir / "log", "-w", "-t", "30",
                  "-o", f"-p {self.port} -k /tmp -h 127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop", check=False)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._run(PG_BIN / "pg_isready", "-h", "127.0.0.1", "-p", self.port, check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("the private PostgreSQL did not come back")

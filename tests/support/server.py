"""Run `parley serve` as a child process and wait until it answers `/healthz`.

The test suite's live servers and the benchmarks' servers are both this: one way to start,
wait for, stop (or SIGKILL) and read the log of a real server process.
"""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A `python -m <module> serve` process on 127.0.0.1:<port>, logging to log_path."""

    def __init__(self, *, port: int, env: dict, log_path: Path, cwd: Path | None = None, module: str = "parley"):
        self.port, self.env, self.log_path, self.cwd, self.module = port, env, Path(log_path), cwd, module
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    name = "server"

    def command(self) -> list[str]:
        """The command line this process runs (a subclass may run another server)."""
        return [sys.executable, "-m", self.module, "serve", "--port", str(self.port), "--log-level", "warning"]

    def start(self, timeout: float = 60):
        """Start the process; return self once /healthz answers 200, or raise with the log."""
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.command(), cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout}s:\n{self.log()}")

    def stop(self, sig_kill: bool = False) -> None:
        """Stop the process (SIGTERM, or SIGKILL with sig_kill), waiting for it to exit."""
        if self.proc and self.proc.poll() is None:
            if sig_kill:
                self.proc.kill()
            else:
                self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

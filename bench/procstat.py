"""CPU and memory of a process from /proc (no psutil needed, so `make test` runs it)."""

import os
import time

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of every thread of pid."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def status_kib(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def self_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


class ProcSample:
    """CPU% of pid between construction and stop(), and its RSS at stop()."""

    def __init__(self, pid: int):
        self.pid = pid
        self.t0 = time.monotonic()
        self.cpu0 = cpu_seconds(pid)

    def rss_kib(self) -> int:
        return status_kib(self.pid, "VmRSS")

    def stop(self) -> dict:
        wall = time.monotonic() - self.t0
        cpu = cpu_seconds(self.pid) - self.cpu0
        return {
            "pid": self.pid,
            "cpu_pct": round(100 * cpu / wall, 1) if wall > 0 else 0.0,
            "rss_kib": self.rss_kib(),
            "hwm_kib": status_kib(self.pid, "VmHWM"),
            "threads": status_kib(self.pid, "Threads"),
        }


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores, from /proc/stat."""
    with open("/proc/stat") as f:
        vals = [int(x) for x in f.readline().split()[1:]]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    total = sum(vals[:8])
    return (total - idle) / _TICK, total / _TICK


def loadavg() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])

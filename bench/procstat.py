"""CPU and memory of a process from /proc (no psutil needed, so `make test` runs it)."""

import os
import time

_TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command name (fields[0] is the state)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of every thread of pid."""
    fields = _stat_fields(pid)
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


def _stat(pid: int) -> tuple[int, float]:
    """(parent pid, user + system CPU of pid's threads and of the children it has reaped)."""
    fields = _stat_fields(pid)
    return int(fields[1]), sum(int(x) for x in fields[11:15]) / _TICK


def postgres_pids() -> list[int]:
    """This machine's PostgreSQL server processes (the postmaster, backends, background workers)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == "postgres":
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


def postgres_cpu(pids) -> dict[int, float]:
    """CPU seconds of each of these PostgreSQL processes, counting each exited one once.

    A backend that exits is reaped by the postmaster, whose count of reaped children's CPU then
    holds it. So the children are read first and the postmaster (the one whose parent is not
    among them) last, and a child that is gone by then is dropped: its CPU is in the
    postmaster's count. (Read the other way round, a backend reaped in between counted nowhere.)
    One that has exited and is not yet reaped reads as 0 (the kernel shows a zombie's CPU
    nowhere): a backend ending at a window's edge can be missed. The bench's connections live
    for the whole run.
    """
    read = {}
    for pid in pids:
        try:
            read[pid] = _stat(pid)
        except OSError:  # already reaped: in its parent's count
            continue
    out = {}
    roots = [pid for pid, (ppid, _cpu) in read.items() if ppid not in read]
    for pid in roots:
        try:
            out[pid] = _stat(pid)[1]
        except OSError:
            continue
    for pid, (_ppid, cpu) in read.items():
        if pid not in out and os.path.exists(f"/proc/{pid}"):  # a zombie still exists, not yet counted
            out[pid] = cpu
    return out


class PostgresSample:
    """CPU seconds PostgreSQL's processes used between construction and stop(), None when no
    PostgreSQL runs on this machine (SQLite-only runs, a remote server).

    A backend or autovacuum worker that exits during the window counts through the postmaster's
    reaped children (postgres_cpu); one started during the window counts from its start.
    Construct it with `pids` (from an earlier postgres_pids()) where a scan of /proc would
    delay the caller.
    """

    def __init__(self, pids: list[int] | None = None):
        self.cpu0 = postgres_cpu(postgres_pids() if pids is None else pids)

    def stop(self) -> float | None:
        now = postgres_cpu(postgres_pids())
        if not now and not self.cpu0:
            return None
        return max(0.0, sum(now.values()) - sum(self.cpu0.values()))

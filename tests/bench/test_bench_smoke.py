"""A few seconds of the bench harness, so it cannot rot. No timing assertions (GUIDE.md §6)."""

import os
import sys
import time

import pytest

from bench import scenarios
from bench.runner import cleanup, workdir


def test_bench_smoke_delivery_and_idle():
    sizes = scenarios.Sizes(quick=False, smoke=True)
    work = workdir()
    try:
        rows = scenarios.scenario_a_e(sizes, work, with_e=True)
        rows += scenarios.scenario_c(sizes, work)
    finally:
        cleanup(work)
    by = {r["scenario"]: r for r in rows}
    a = by["a"]
    assert a["sent"] > 0, a
    assert a["lost"] == 0 and a["duplicated"] == 0, a
    assert a["delivered"] == a["sent"] and a["acked"] == a["sent"], a
    e = by["e"]
    assert e["sent"] > 0 and e["lost"] == 0 and e["duplicated"] == 0, e
    assert e["poll"]["requests"] > 0 and e["poll"]["errors"] == 0, e
    c = by["c"]
    assert c["held"] == c["asked"] == sizes.connections, c
    assert c["kib_per_conn"] is not None
    print(rows, file=sys.stderr)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(300)
def test_bench_smoke_ladder_and_cross_process(require_postgres, require_redis):
    """Scenario b's ladder on SQLite, and d's three runs (memory broker, Redis broker, two processes)."""
    sizes = scenarios.Sizes(quick=False, smoke=True)
    work = workdir()
    try:
        rows = scenarios.scenario_b(sizes, work, "sqlite") + scenarios.scenario_d(sizes, work)
    finally:
        cleanup(work)
    b = [r for r in rows if r["scenario"] == "b"]
    assert len(b) == len(sizes.ladder) and b[0]["db"] == "sqlite", b
    d = [r for r in rows if r["scenario"] == "d"]
    assert [(r["servers"], r["broker"]) for r in d] == [(1, "memory"), (1, "redis"), (2, "redis")], d
    for row in b + d:
        assert row["sent"] > 0, row
        assert row["lost"] == 0 and row["duplicated"] == 0, row
        assert row["delivered"] == row["sent"] and row["acked"] == row["sent"], row
    assert d[1]["redis_hop_p50_ms"] == round(d[1]["latency_ms"]["p50"] - d[0]["latency_ms"]["p50"], 2)
    assert d[2]["second_process_p50_ms"] == round(d[2]["latency_ms"]["p50"] - d[1]["latency_ms"]["p50"], 2)
    print(rows, file=sys.stderr)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(300)
def test_bench_smoke_peers_side_by_side(require_postgres, require_redis):
    """`--scenarios peers`: Parley on both databases and every peer installed here, pinned, 0 lost."""
    from bench.runner import peers_available

    sizes = scenarios.Sizes(quick=False, smoke=True)
    work = workdir()
    try:
        rows = scenarios.scenario_peers(sizes, work)
    finally:
        cleanup(work)
    missing = {k for k, why in peers_available().items() if why}
    ran = {r["contender"] for r in rows if not r.get("skipped")}
    assert {"parley-pg", "parley-sqlite"} <= ran, rows
    assert ran | missing >= {"socketio", "channels"} or ran >= {"socketio", "channels"}, rows
    for row in rows:
        if row.get("skipped"):
            continue
        assert row["sent"] > 0 and row["lost"] == 0 and row["duplicated"] == 0, row
        assert row["delivered"] == row["sent"] and row["acked"] == row["sent"], row
        assert row["pinned"]["server"] != row["pinned"]["loadgen"] or len(row["pinned"]["server"]) == 1, row
    pg_rows = [r for r in rows if r["contender"] == "parley-pg"]
    assert all(r["postgres_cpu_ms_per_msg"] > 0 for r in pg_rows), pg_rows
    assert "Side by side" in scenarios.peers_summary(rows)


@pytest.mark.postgres
def test_postgres_cpu_counts_a_backend_that_came_and_went_in_the_window(require_postgres):
    """bench.procstat.PostgresSample: a connection opened after the sample started and closed
    before it stopped leaves no process to read; its backend's CPU is in the postmaster's
    reaped children, and counts."""
    import psycopg

    from bench.procstat import PostgresSample, postgres_pids

    if not postgres_pids():
        pytest.skip("PostgreSQL runs on another machine: its processes cannot be read here")
    with psycopg.connect(scenarios.PG_BASE, autocommit=True) as conn:  # warm: the first connect's set-up
        conn.execute("SELECT 1")
    sample = PostgresSample()
    with psycopg.connect(scenarios.PG_BASE, autocommit=True) as conn:
        conn.execute("SELECT count(*) FROM generate_series(1, 4000000)").fetchone()
        backend = conn.info.backend_pid
    # The backend exits after the client has gone; until the postmaster reaps it, the kernel
    # shows its CPU nowhere (a zombie's times read as 0), so wait for the reaping.
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{backend}") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sample.stop() >= 0.1


@pytest.mark.postgres
def test_pg_autovacuum_is_on_for_the_run_and_put_back_after(require_postgres):
    """`--pg-autovacuum` (bench.runner.Autovacuum) on the shared server: on inside, as it was after.

    ALTER SYSTEM is the server's own file: a bench that forgot to reset it would leave the
    machine's CI configuration changed for every later run."""
    import psycopg

    from bench.runner import Autovacuum, postgres_settings

    def in_auto_conf():
        with psycopg.connect(scenarios.PG_BASE, autocommit=True) as conn:
            return conn.execute("SELECT count(*) FROM pg_file_settings WHERE name = 'autovacuum' "
                                "AND sourcefile LIKE %s", ["%postgresql.auto.conf"]).fetchone()[0]

    before, auto_conf = postgres_settings(scenarios.PG_BASE), in_auto_conf()
    with Autovacuum(scenarios.PG_BASE):
        # reload is asynchronous in the server's processes, but this new session reads the file's value
        with psycopg.connect(scenarios.PG_BASE, autocommit=True) as conn:
            assert conn.execute("SHOW autovacuum").fetchone()[0] == "on"
    assert postgres_settings(scenarios.PG_BASE) == before
    assert in_auto_conf() == auto_conf


def test_the_peers_summary_compares_at_500_even_when_one_contender_held_nothing():
    """Channels fails its first step (100/s): the reference rate for latency and CPU stays the
    500/s every other contender reached, not the one rate all four have a step for."""

    def step(contender, rate, p99, lost=0):
        return {"scenario": "peers", "contender": contender, "label": f"peers: {contender}", "round": 1,
                "rate": rate, "lost": lost, "achieved_rate": rate, "latency_ms": {"p50": 1.0, "p99": p99},
                "server_cpu_pct": 10.0, "measured_sent": rate * 10, "window_s": 10}

    rows = [step(c, r, 5.0) for c in ("parley-pg", "socketio") for r in (100.0, 500.0, 1000.0)]
    rows.append(step("channels", 100.0, 9.0, lost=4))
    summary = scenarios.peers_summary(rows)
    assert "@500/s" in summary and "@100/s" not in summary, summary


def test_the_peers_summary_is_printed_when_no_contender_held_a_step():
    """A one-step ladder that every contender failed (a profile run at one rate) still gets its
    table, compared at that rate, instead of a crash after the whole run."""
    rows = [{"scenario": "peers", "contender": c, "label": f"peers: {c}", "round": 1, "rate": 1500.0, "lost": 0,
             "achieved_rate": 1500.0, "latency_ms": {"p50": 40.0, "p99": 900.0}, "server_cpu_pct": 80.0,
             "measured_sent": 15000, "window_s": 10} for c in ("parley-sqlite", "socketio")]
    summary = scenarios.peers_summary(rows)
    assert "p99 ms @1500/s" in summary and "900.0" in summary, summary


def test_worst_seconds_names_the_second_a_stall_came_from():
    """A step's p99 says how bad its tail was; worst_seconds says when: a stall in its third
    second shows there first, with a message never delivered ranked slowest of all."""
    from array import array

    from bench.loadgen import worst_seconds

    ns, rate = 1_000_000_000, 10
    intended = array("q", [5 * ns + i * ns // rate for i in range(60)])  # 6 s at 10/s, 1 s warm-up
    latency = array("q", [2_000_000] * 60)  # 2 ms each
    for i in range(30, 35):  # the measured window's 3rd second (from index 10): a 400 ms stall
        latency[i] = 400_000_000
    latency[52] = -1  # never delivered, in the 5th second
    assert worst_seconds(intended, latency, range(10, 60), top=3) == [[4, None, 10], [2, 400.0, 10], [0, 2.0, 10]]


@pytest.mark.postgres
@pytest.mark.timeout(300)
def test_send_micro_on_postgresql_prints_its_cpu_and_postgresqls(require_postgres):
    """bench.send_micro runs the send path's writer alone; on PostgreSQL it also prints the
    database's CPU per message (all its processes on this machine) and the WAL."""
    import subprocess

    from bench.procstat import postgres_pids

    if not postgres_pids():
        pytest.skip("PostgreSQL runs on another machine: its processes cannot be read here")
    out = subprocess.run([sys.executable, "-m", "bench.send_micro", "--postgres", scenarios.PG_BASE, "--batch", "2",
                          "--messages", "40", "--pairs", "4", "--numbered"],
                         capture_output=True, text=True, timeout=280)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "40 messages" in out.stdout and "errors 0" in out.stdout, out.stdout
    cpu = next(line for line in out.stdout.splitlines() if line.startswith("PostgreSQL CPU"))
    assert float(cpu.split()[2]) > 0, cpu
    assert "WAL per message" in out.stdout, out.stdout

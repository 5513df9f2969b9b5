"""`python -m bench` (`make bench BENCH_ARGS=...`): run the scenarios, print the table, draw docs/*.png."""

import argparse
import contextlib
import json
import platform
import sys
import time
from pathlib import Path

from . import report, runner, scenarios
from .runner import ROOT, cleanup, git_state, workdir


def machine() -> dict:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    except OSError:
        mem = 0
    import os
    import sqlite3

    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem / 1024 / 1024, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version}


def run(args) -> dict:
    sizes = scenarios.Sizes(args.quick, args.smoke, pairs=args.pairs, connections=args.connections,
                            duration=args.duration, rates_a=args.rates, ladder=args.ladder,
                            profile=args.profile, pollers=args.pollers, token_half=args.token_half or None,
                            typing=args.typing, repeat=args.repeat, uploads=args.uploads,
                            upload_interval=args.upload_interval)
    wanted = set(args.scenarios.split(","))
    work = workdir()
    rows: list[dict] = []
    started = time.time()
    partial = args.out / "partial.json"
    args.out.mkdir(parents=True, exist_ok=True)

    def add(new_rows):  # keep what was measured even if a later scenario fails or is stopped
        rows.extend(new_rows)
        partial.write_text(json.dumps({"started": started, "rows": rows}, default=str))

    pg = None if args.no_postgres or not wanted & {"b", "d", "peers"} else scenarios.PG_BASE
    try:
        with runner.Autovacuum(pg) if pg and args.pg_autovacuum else contextlib.nullcontext():
            pg_settings = runner.postgres_settings(pg) if pg else None  # as the run has them
            _run_scenarios(args, sizes, wanted, work, add)
    finally:
        if not args.keep:
            cleanup(work)
        else:
            print(f"work dir kept: {work}", file=sys.stderr)
    a_rows = [r for r in rows if r["scenario"] == "a" and r["latency_ms"]["p50"]]
    for r in rows:
        if r["scenario"] == "e" and a_rows and r["latency_ms"]["p50"]:
            base = a_rows[0]["latency_ms"]
            r["latency_ratio_p50"] = round(r["latency_ms"]["p50"] / base["p50"], 1)
            r["latency_ratio_p99"] = round(r["latency_ms"]["p99"] / base["p99"], 1)
    import os

    safety_tips = os.environ.get("PARLEY_SAFETY_TIPS", "1").strip().lower() in {"1", "true", "yes", "on"}
    notifications = os.environ.get("PARLEY_NOTIFICATIONS", "1").strip().lower() in {"1", "true", "yes", "on"}
    return {"started": started, "args": vars(args), "machine": machine(), "code": git_state(),
            "postgres": pg_settings,
            "safety_tips": safety_tips, "notifications": notifications,
            "tasks": os.environ.get("PARLEY_TASKS", "immediate"), "rows": rows}


def _run_scenarios(args, sizes, wanted: set, work, add) -> None:
    if "a" in wanted or "e" in wanted:
        add(scenarios.scenario_a_e(sizes, work, with_e="e" in wanted))
    if "b" in wanted:
        add(scenarios.scenario_b(sizes, work, "sqlite"))
        if not args.no_postgres:
            add(scenarios.scenario_b(sizes, work, "postgres"))
    if "c" in wanted:
        add(scenarios.scenario_c(sizes, work))
    if "d" in wanted:
        add(scenarios.scenario_d(sizes, work))
    if "peers" in wanted:
        add(scenarios.scenario_peers(sizes, work, args.peers.split(",") if args.peers else None))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small numbers, about two minutes")
    p.add_argument("--smoke", action="store_true", help="tiny numbers, a few seconds (the test suite)")
    p.add_argument("--scenarios", default="a,b,c,d,e",
                   help="comma-separated subset of a,b,c,d,e, and peers (Parley beside bench/peers, not in the default)")
    p.add_argument("--repeat", type=int, help="peers: rounds of every contender, alternating (default 3)")
    p.add_argument("--peers", help="peers: a subset of parley-pg,parley-sqlite,socketio,channels")
    p.add_argument("--pairs", type=int, help="conversations (users = 2 x pairs)")
    p.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")], help="scenario a rates, e.g. 500,1000")
    p.add_argument("--ladder", type=lambda s: [float(x) for x in s.split(",")], help="scenario b rates")
    p.add_argument("--duration", type=float, help="measured seconds per step")
    p.add_argument("--connections", type=int, help="scenario c sockets to open")
    p.add_argument("--pollers", type=int, help="scenario e polling users")
    p.add_argument("--typing", type=int, help="scenario a: this many users also send a `typing` frame every 3 s")
    p.add_argument("--uploads", type=int, help="scenario a: one user uploads this many 4000x3000 photos during the steps; "
                                               "the task worker makes their thumbnails")
    p.add_argument("--upload-interval", type=float, help="--uploads: seconds between two uploads' starts (default 1)")
    p.add_argument("--profile", type=Path, help="py-spy the servers while they take load; raw stacks to this file (scenario a) and FILE.<scenario>-<n> (b, d)")
    p.add_argument("--no-postgres", action="store_true", help="skip b on PostgreSQL")
    p.add_argument("--token-half", action="store_true", help="scenario a: half the sockets log in with an app token")
    p.add_argument("--no-plots", action="store_true")
    p.add_argument("--no-safety-tips", action="store_true",
                   help="servers run with PARLEY_SAFETY_TIPS=0 (no risk detection on send); same as that variable in the environment")
    p.add_argument("--no-notifications", action="store_true",
                   help="servers run with PARLEY_NOTIFICATIONS=0 (no notifications sink); same as that variable in the environment")
    p.add_argument("--task-worker", action="store_true",
                   help="servers run with PARLEY_TASKS=database and start the task worker beside them, as `make run` does")
    p.add_argument("--pg-autovacuum", action="store_true",
                   help="turn the shared PostgreSQL server's autovacuum on for the run if it is off (as on CI machines), "
                        "and back off after: no production server runs without it")
    p.add_argument("--keep", action="store_true", help="keep the work dir (server logs, databases)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = p.parse_args(argv)
    if args.no_safety_tips:
        import os

        os.environ["PARLEY_SAFETY_TIPS"] = "0"  # the servers' environment starts from ours (runner.Database.env)
    if args.no_notifications:
        import os

        os.environ["PARLEY_NOTIFICATIONS"] = "0"
    if args.task_worker:
        import os

        os.environ["PARLEY_TASKS"] = "database"
    result = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = args.out / f"bench-{stamp}.json"
    path.write_text(json.dumps(result, indent=1, default=str))
    (args.out / "latest.json").write_text(json.dumps(result, indent=1, default=str))
    print()
    print(report.table(result["rows"]))
    summary = scenarios.peers_summary(result["rows"])
    if summary:
        print()
        print(summary)
    if result["postgres"]:
        print(f"\nPostgreSQL: {result['postgres']}")
        if result["postgres"].get("autovacuum") != "on":
            print("WARNING: PostgreSQL's autovacuum is off: rows that writers update pile up as dead versions for "
                  "the whole run (no production server runs so); --pg-autovacuum turns it on for the run")
    print(f"\nserver code: {result['code']}")
    print(f"results: {path}")
    if not args.no_plots and not args.smoke:
        for png in report.plots(result["rows"], ROOT / "docs"):
            print(f"plot: {png}")


if __name__ == "__main__":
    main()

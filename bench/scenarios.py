"""Scenarios a-e of issue 4. Each returns a list of rows for the table and the JSON file."""

import os
import sys
import time

from .runner import Database, Profiler, Server, run_loadgen

PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Sizes:
    def __init__(self, quick: bool, smoke: bool = False, **overrides):
        self.profile = None
        self.token_half = False
        self.repeat = 1 if (smoke or quick) else 3  # the side-by-side scenario's rounds
        if smoke:
            self.pairs, self.rates_a, self.warmup, self.duration = 10, [50], 0.5, 2
            self.ladder, self.connections, self.pollers, self.poll_rate, self.poll_s = [50], 100, 5, 5, 3
            self.idle_s, self.rate_d, self.grace = 1, 50, 5
        elif quick:
            self.pairs, self.rates_a, self.warmup, self.duration = 100, [100, 200], 1, 3
            self.ladder, self.connections, self.pollers, self.poll_rate, self.poll_s = [100, 200, 400], 1000, 50, 10, 6
            self.idle_s, self.rate_d, self.grace = 2, 100, 5
        else:
            self.pairs, self.rates_a, self.warmup, self.duration = 1000, [500, 1000], 3, 15
            self.ladder = [100, 200, 300, 500, 750, 1000, 1500, 2000, 2500, 3000, 4000]
            self.connections, self.pollers, self.poll_rate, self.poll_s = 20000, 200, 25, 30
            self.idle_s, self.rate_d, self.grace = 10, 500, 10
        for k, v in overrides.items():
            if v is not None:
                setattr(self, k, v)


def _base_cfg(data, servers, sizes) -> dict:
    return {
        "mode": "delivery",
        "ports": [s.port for s in servers],
        "server_pids": [s.pid for s in servers],
        "users": data["users"],
        "conversations": data["conversations"],
        "cookie_name": data["cookie_name"],
        "grace_s": sizes.grace,
    }


def _run_profiled(cfg: dict, work, servers, sizes: Sizes, tag: str) -> dict:
    """Run the load generator; with --profile, py-spy each server during the sending steps.

    Scenario a writes to the --profile path itself; other runs to `<path>.<tag>-<n>`.
    """
    if not sizes.profile:
        return run_loadgen(cfg, work)
    prof = []

    def path(n):
        return sizes.profile if tag == "a" else sizes.profile.with_name(f"{sizes.profile.name}.{tag}-{n}")

    def start():
        prof.extend(Profiler(s.pid, path(n)) for n, s in enumerate(servers))

    try:
        return run_loadgen(cfg, work, on_ready=start)
    finally:
        for pr in prof:
            say(f"[{tag}] py-spy profile (sending steps only): {pr.stop()}")


def _rows(scenario: str, label: str, result: dict, extra: dict | None = None) -> list[dict]:
    rows = []
    for step in result.get("steps", []):
        rows.append({"scenario": scenario, "label": label, **step, **(extra or {})})
    return rows


class Uploader:
    """bench.uploader in its own process, started when the load generator starts sending."""

    def __init__(self, srv, data, count: int, work, interval: float = 1.0):
        import json

        buyer = str(data["conversations"][0][1])
        self.cfg_path, self.out_path = work / "uploader.json", work / "uploader-result.json"
        self.cfg_path.write_text(json.dumps({"port": srv.port, "cookie_name": data["cookie_name"], "count": count, "interval": interval,
                                             "session": data["users"][buyer], "ready_path": str(work / "uploader.ready")}))
        self.proc, self.interval = None, interval

    def start(self) -> None:
        import subprocess

        say("[a] uploading photos beside the steps")
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.uploader", str(self.cfg_path), str(self.out_path)])

    def finish(self, db) -> dict:
        """The uploads' statuses and times, and how many thumbnails the worker made by now."""
        import json
        import sqlite3

        if self.proc is not None and self.proc.wait(timeout=900):
            raise RuntimeError("the uploader failed")
        result = json.loads(self.out_path.read_text()) if self.out_path.exists() else {"uploads": []}
        times = sorted(u["ms"] for u in result["uploads"])
        ok = sum(u["status"] == 201 for u in result["uploads"])
        counts, t0 = [], time.monotonic()
        with sqlite3.connect(db.url.removeprefix("sqlite:///")) as conn:
            while True:  # the worker may still be making the last thumbnails: wait for them, at most 3 minutes
                thumbs = conn.execute("SELECT COUNT(*) FROM parley_attachments_attachment WHERE thumb != ''").fetchone()[0]
                counts.append(thumbs)
                if thumbs >= ok or time.monotonic() - t0 > 180:
                    break
                time.sleep(1)
        return {"sent": len(times), "ok": ok, "seconds": result.get("seconds"), "bytes": result.get("bytes"),
                "thumbnailed_at_end_of_steps": counts[0], "thumbnailed": counts[-1],
                "thumbnails_done_s_after_steps": round(time.monotonic() - t0, 1),
                "p50_ms": times[len(times) // 2] if times else None, "max_ms": times[-1] if times else None}


def scenario_a_e(sizes: Sizes, work, with_e: bool = True) -> list[dict]:
    """a: delivery on one SQLite process; e: 2-second polling on the same server, same run."""
    db = Database("sqlite", work)
    data = db.populate(sizes.pairs)
    uploads = getattr(sizes, "uploads", None) or 0
    extra = {"PARLEY_TASKS": "database", "PARLEY_UPLOAD_RATE": "100000/1",
             "PARLEY_UPLOAD_DAILY_BYTES": str(10**12)} if uploads else None  # the worker makes thumbnails
    srv = Server(db, work, extra_env=extra, name="a").start()
    rows = []
    try:
        say(f"[a] {2 * sizes.pairs} users over WebSocket, rates {sizes.rates_a}")
        cfg = _base_cfg(data, [srv], sizes)
        cfg["idle_s"] = sizes.idle_s
        cfg["typing"] = getattr(sizes, "typing", None) or 0
        cfg["steps"] = [{"rate": r, "warmup_s": sizes.warmup, "duration_s": sizes.duration} for r in sizes.rates_a]
        label = "a: delivery, SQLite, 1 process"
        if sizes.token_half:  # every other user's sockets log in with an app token
            cfg["tokens"] = data.get("tokens", {})
            cfg["token_users"] = [int(uid) for i, uid in enumerate(sorted(data["users"], key=int)) if i % 2]
            label += ", half the sockets by token"
        uploader = Uploader(srv, data, uploads, work, getattr(sizes, "upload_interval", None) or 1.0) if uploads else None
        if uploader:
            profiler = []

            def start():
                uploader.start()
                if sizes.profile:
                    profiler.append(Profiler(srv.pid, sizes.profile))

            try:
                res = run_loadgen(cfg, work, on_ready=start)
            finally:
                for pr in profiler:
                    say(f"[a] py-spy profile (with uploads): {pr.stop()}")
        else:
            res = _run_profiled(cfg, work, [srv], sizes, "a")
        idle = res.get("idle", {})
        if cfg["typing"]:
            label += f", {cfg['typing']} typing every 3 s"
        extra_row = {"connected": res["connected"], "idle_ws": idle, "typing": res.get("typing")}
        if uploader:
            label += f", {uploads} photo uploads (one every {uploader.interval:g} s at most)"
            extra_row["uploads"] = uploader.finish(db)
        rows += _rows("a", label, res, extra_row)
        if with_e:
            rows += scenario_e(sizes, work, srv, data, idle)
    finally:
        srv.stop()
        db.drop()
    return rows


def scenario_e(sizes: Sizes, work, srv, data, ws_idle: dict) -> list[dict]:
    convs = data["conversations"][: sizes.pollers]
    users = {}
    for _c, buyer, seller in convs:
        users[str(buyer)] = data["users"][str(buyer)]
        users[str(seller)] = data["users"][str(seller)]
    say(f"[e] {len(convs)} sellers polling every 2 s, buyers sending {sizes.poll_rate}/s")
    cfg = _base_cfg({**data, "users": users, "conversations": convs}, [srv], sizes)
    cfg.update({
        "pollers": [s for _c, _b, s in convs], "one_way": True, "poll_interval": 2.0, "idle_s": sizes.idle_s,
        "grace_s": max(sizes.grace, 5),
        "steps": [{"rate": sizes.poll_rate, "warmup_s": 0, "duration_s": sizes.poll_s}],
    })
    res = run_loadgen(cfg, work)
    idle = res.get("idle", {})
    pollers = max(1, len(convs))
    ws_users = max(1, ws_idle.get("ws_clients", 1))
    extra = {
        "poll_idle": idle,
        "poll_requests_per_user_s": round(idle.get("poll_requests", 0) / idle.get("seconds", 1) / pollers, 3),
        "poll_cpu_pct_per_1000_users": round(1000 * (idle.get("server_cpu_pct") or 0) / pollers, 2),
        "ws_frames_per_user_s": round(ws_idle.get("frames_to_idle_clients", 0) / ws_idle.get("seconds", 1) / ws_users, 4),
        "ws_cpu_pct_per_1000_users": round(1000 * (ws_idle.get("server_cpu_pct") or 0) / ws_users, 3),
        "poll": res.get("poll"),
    }
    rows = _rows("e", "e: 2-second polling baseline", res, extra)
    for row in rows:  # the polling clients' view is what matters for this row
        row["latency_ms"] = row.get("poll_latency_ms", row["latency_ms"])
        row["cdf"] = row.get("poll_cdf", row["cdf"])
    return rows


def scenario_b(sizes: Sizes, work, kind: str) -> list[dict]:
    """b: step the rate up until p99 > 50 ms or a message is lost."""
    db = Database(kind, work, PG_BASE)
    rows = []
    try:
        data = db.populate(sizes.pairs)
        srv = Server(db, work, name=f"b-{kind}").start()
        try:
            say(f"[b/{kind}] ladder {sizes.ladder}")
            cfg = _base_cfg(data, [srv], sizes)
            cfg["steps"] = [
                {"rate": r, "warmup_s": sizes.warmup, "duration_s": sizes.duration, "stop_if_p99_over": 50}
                for r in sizes.ladder
            ]
            res = _run_profiled(cfg, work, [srv], sizes, f"b-{kind}")
            rows += _rows("b", f"b: throughput ladder, {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}", res,
                          {"db": kind})
        finally:
            srv.stop()
    finally:
        db.drop()
    return rows


def scenario_c(sizes: Sizes, work) -> list[dict]:
    db = Database("sqlite", work)
    data = db.populate(min(sizes.pairs, 1000))
    srv = Server(db, work, name="c").start()
    try:
        say(f"[c] opening {sizes.connections} idle sockets")
        res = run_loadgen({
            "mode": "idle", "ports": [srv.port], "server_pids": [srv.pid], "users": data["users"],
            "cookie_name": data["cookie_name"], "connections": sizes.connections,
            "hold_s": max(2, sizes.idle_s), "settle_s": 3,
        }, work)
    finally:
        srv.stop()
    return [{"scenario": "c", "label": "c: idle connections, 1 process", **res}]


def redis_broker_available() -> str | None:
    """Return why scenario d cannot run, or None."""
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis at {REDIS} is not reachable: {exc}"
    try:
        import psycopg

        psycopg.connect(PG_BASE, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL at {PG_BASE} is not reachable: {exc}"
    return None


def scenario_d(sizes: Sizes, work) -> list[dict]:
    """d: buyers on one process, sellers on another, through Redis, on PostgreSQL.

    Three runs at the same rate on the same data, so each difference has one cause:
    1. one process, memory broker (the base);
    2. one process, Redis broker: every doorbell goes through Redis and back, so
       2 - 1 is the Redis hop itself;
    3. two processes through Redis (the scenario): 3 - 2 is what a second process adds
       besides Redis (two writers taking turns on the same rows).
    """
    why = redis_broker_available()
    if why:
        say(f"[d] SKIPPED: {why}")
        return [{"scenario": "d", "label": "d: cross-process via Redis", "skipped": why}]
    rows = []
    db = Database("postgres", work, PG_BASE)
    channel = {"REDIS_URL": REDIS}
    step = [{"rate": sizes.rate_d, "warmup_s": sizes.warmup, "duration_s": sizes.duration}]
    runs = [
        ("d-single", "d: 1 process, PostgreSQL, memory broker", [{}]),
        ("d-single-redis", "d: 1 process, PostgreSQL, Redis broker", [channel]),
        ("d-redis", "d: 2 processes, PostgreSQL + Redis", [channel, channel]),
    ]
    try:
        data = db.populate(sizes.pairs)
        for tag, label, envs in runs:
            servers = []
            try:
                for n, env in enumerate(envs):
                    servers.append(Server(db, work, env, name=f"{tag}-{n}").start())
                say(f"[d] {label}, {sizes.rate_d}/s")
                time.sleep(1)
                cfg = _base_cfg(data, servers, sizes)
                cfg["steps"] = step
                res = _run_profiled(cfg, work, servers, sizes, tag)
                rows += _rows("d", label, res, {"servers": len(servers), "broker": "redis" if envs[0] else "memory"})
            finally:
                for server in servers:
                    server.stop()
    finally:
        db.drop()
    p50 = [r["latency_ms"]["p50"] for r in rows]
    if len(rows) == 3 and all(v is not None for v in p50):
        rows[1]["redis_hop_p50_ms"] = round(p50[1] - p50[0], 2)
        rows[2]["redis_hop_p50_ms"] = rows[1]["redis_hop_p50_ms"]
        rows[2]["second_process_p50_ms"] = round(p50[2] - p50[1], 2)
    return rows


# --- the side-by-side scenario (issue 18) ----------------------------------------------------
SERVER_CPU, LOADGEN_CPU = 0, 1

CONTENDERS = [
    # (key, label, kind, database)
    ("parley-pg", "Parley, PostgreSQL", "parley", "postgres"),
    ("parley-sqlite", "Parley, SQLite", "parley", "sqlite"),
    ("socketio", "Socket.IO 4 + pg (Node)", "socketio", "postgres"),
    ("channels", "Django Channels + ORM write", "channels", "postgres"),
]


def scenario_peers(sizes: Sizes, work, only: list[str] | None = None) -> list[dict]:
    """Parley (PostgreSQL, SQLite) beside the peers in bench/peers, alternating, sizes.repeat rounds.

    Each server is pinned to core SERVER_CPU, the load generator to LOADGEN_CPU; every contender
    climbs the same open-loop ladder as scenario b and stops at p99 > 50 ms or a lost message.
    PostgreSQL is shared (not pinned), as in the outside measurement.
    """
    from .runner import PeerServer, peers_available, pin

    ncpu = os.cpu_count() or 1
    server_cpus, loadgen_cpus = ({SERVER_CPU}, [LOADGEN_CPU]) if ncpu >= 2 else ({0}, [0])
    missing = peers_available()
    contenders = [c for c in CONTENDERS if not only or c[0] in only]
    rows: list[dict] = []
    for key, label, kind, _db in contenders:
        if kind in missing and missing[kind]:
            say(f"[peers] {label} SKIPPED: {missing[kind]}")
            rows.append({"scenario": "peers", "label": f"peers: {label}", "contender": key, "skipped": missing[kind]})
    contenders = [c for c in contenders if not missing.get(c[2])]
    why = redis_broker_available() if any(c[2] == "channels" for c in contenders) else None
    if why:
        say(f"[peers] Channels SKIPPED: {why}")
        rows.append({"scenario": "peers", "label": "peers: Django Channels + ORM write", "contender": "channels",
                     "skipped": why})
        contenders = [c for c in contenders if c[2] != "channels"]
    dbs: dict[str, Database] = {}
    try:
        data = {}
        for kind in sorted({c[3] for c in contenders}):
            dbs[kind] = Database(kind, work, PG_BASE)
            data[kind] = dbs[kind].populate(sizes.pairs)
        for rnd in range(sizes.repeat):
            for key, label, kind, dbkind in contenders:
                db = dbs[dbkind]
                # Parley as deployed (`make run`, PRODUCTION): tasks queued in the database for the
                # worker `parley serve` starts beside it, not run inline on the writer thread
                # (the immediate backend of development ran the notification ladder there: 44%
                # of the writer thread at 100/s, docs/benchmarks.md).
                srv = (Server(db, work, extra_env={"PARLEY_TASKS": "database"}, name=f"peers-{key}-{rnd}") if kind == "parley"
                       else PeerServer(kind, db, work, REDIS)).start()
                try:
                    pin(srv.pid, server_cpus)
                    say(f"[peers] round {rnd + 1}/{sizes.repeat}: {label}, ladder {sizes.ladder}")
                    cfg = _base_cfg(data[dbkind], [srv], sizes)
                    cfg.update({"protocol": kind, "cpus": loadgen_cpus, "measure_socket_kib": True,
                                "idle_s": sizes.idle_s})
                    cfg["steps"] = [{"rate": r, "warmup_s": sizes.warmup, "duration_s": sizes.duration,
                                     "stop_if_p99_over": 50} for r in sizes.ladder]
                    res = _run_profiled(cfg, work, [srv], sizes, f"peers-{key}-{rnd}")
                    extra = {"contender": key, "round": rnd, "db": dbkind, "connected": res["connected"],
                             "socket_kib": res.get("socket_kib"), "idle_ws": res.get("idle"),
                             "pinned": {"server": sorted(server_cpus), "loadgen": loadgen_cpus}}
                    new = _rows("peers", f"peers: {label}", res, extra)
                    if not new:
                        new = [{"scenario": "peers", "label": f"peers: {label}", "skipped": "no step ran", **extra}]
                    rows += new
                finally:
                    srv.stop()
    finally:
        for db in dbs.values():
            db.drop()
    return rows


def _held(steps: list[dict]):
    """Highest rate with p99 <= 50 ms, nothing lost and the rate actually offered (scenario b's rule)."""
    best = None
    for s in sorted(steps, key=lambda s: s["rate"]):
        lat = s["latency_ms"]
        if s["lost"] or lat["p99"] is None or lat["p99"] > 50 or (s.get("achieved_rate") or 0) < 0.95 * s["rate"]:
            break
        best = s["rate"]
    return best


def _spread(values):
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None, None, None
    return vals[len(vals) // 2], vals[0], vals[-1]


def peers_summary(rows: list[dict]) -> str:
    """Per contender (median over rounds, min-max in brackets) and its ratio to the Socket.IO peer."""
    from .report import cpu_ms_per_msg, postgres_ms_per_msg

    rows = [r for r in rows if r["scenario"] == "peers" and not r.get("skipped")]
    if not rows:
        return ""
    by: dict[str, dict[int, list]] = {}
    labels = {}
    for r in rows:
        by.setdefault(r["contender"], {}).setdefault(r["round"], []).append(r)
        labels[r["contender"]] = r["label"].removeprefix("peers: ")
    # The reference rate for latency and CPU: 500/s when every run reached it, else the highest
    # rate every run has a step for. A contender that held no step (Channels) is left out of
    # that choice, or its one failed step would set the rate for everyone.
    # When none held a step (a short ladder on a slow machine), every run sets it.
    ran = ([steps for runs in by.values() if any(_held(steps) for steps in runs.values()) for steps in runs.values()]
           or [steps for runs in by.values() for steps in runs.values()])
    common = set.intersection(*({s["rate"] for s in steps} for steps in ran)) if ran else set()
    ref = 500.0 if 500.0 in common else (max(common) if common else None)
    at = f"@{ref:g}/s" if ref is not None else "(no rate every run reached)"
    stats = {}
    for key, runs in by.items():
        at_ref = [s for steps in runs.values() for s in steps if s["rate"] == ref]
        kib = [steps[0].get("socket_kib", {}) or {} for steps in runs.values()]
        stats[key] = {
            "held": _spread([_held(steps) for steps in runs.values()]),
            "p50": _spread([s["latency_ms"]["p50"] for s in at_ref]),
            "p99": _spread([s["latency_ms"]["p99"] for s in at_ref]),
            "cpu": _spread([cpu_ms_per_msg(s) for s in at_ref]),
            "cpu_drained": _spread([s.get("server_cpu_ms_per_msg_drained") for s in at_ref]),
            "pg": _spread([postgres_ms_per_msg(s) for s in at_ref]),
            "kib": _spread([k.get("kib_per_socket") for k in kib]),
            "lg": max((s.get("loadgen_cpu_pct") or 0) for steps in runs.values() for s in steps),
            "rounds": len(runs),
        }
    base = stats.get("socketio")

    def cell(key, name, nd=1):
        med, lo, hi = stats[key][name]
        if med is None:
            return "-"
        text = f"{med:.{nd}f}" + (f" [{lo:.{nd}f}-{hi:.{nd}f}]" if hi != lo else "")
        if base and key != "socketio" and base[name][0]:
            text += f" ({med / base[name][0]:.2f}x)"
        return text

    head = ["contender", "rounds", "held rate/s", f"p50 ms {at}", f"p99 ms {at}",
            f"CPU ms/msg {at}", "same, to drained", f"PostgreSQL CPU ms/msg {at}", "KiB/idle socket",
            "max loadgen CPU%"]
    lines = [head]
    for key in [c[0] for c in CONTENDERS if c[0] in stats]:
        lines.append([labels[key], str(stats[key]["rounds"]), cell(key, "held", 0), cell(key, "p50"),
                      cell(key, "p99"), cell(key, "cpu", 3), cell(key, "cpu_drained", 3), cell(key, "pg", 3),
                      cell(key, "kib"), f"{stats[key]['lg']:.0f}"])
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = ["Side by side (median [min-max] over rounds; (N.NNx) = ratio to the Socket.IO peer):"]
    out += [" | ".join(c.ljust(w) for c, w in zip(line, widths)) for line in lines]
    if any(s["lg"] > 90 for s in stats.values()):
        out.append("WARNING: the load generator used > 90% of its core: it may be the bottleneck at the top steps")
    return "\n".join(out)

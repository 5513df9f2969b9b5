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


def scenario_a_e(sizes: Sizes, work, with_e: bool = True) -> list[dict]:
    """a: delivery on one SQLite process; e: 2-second polling on the same server, same run."""
    db = Database("sqlite", work)
    data = db.populate(sizes.pairs)
    srv = Server(db, work, name="a").start()
    rows = []
    try:
        say(f"[a] {2 * sizes.pairs} users over WebSocket, rates {sizes.rates_a}")
        cfg = _base_cfg(data, [srv], sizes)
        cfg["idle_s"] = sizes.idle_s
        cfg["steps"] = [{"rate": r, "warmup_s": sizes.warmup, "duration_s": sizes.duration} for r in sizes.rates_a]
        res = _run_profiled(cfg, work, [srv], sizes, "a")
        idle = res.get("idle", {})
        rows += _rows("a", "a: delivery, SQLite, 1 process", res,
                      {"connected": res["connected"], "idle_ws": idle})
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

"""The send path's writer alone: CPU per message of `send_batch`, no sockets, no event loop.

    python -m bench.send_micro [--batch 16] [--messages 20000] [--pairs 1000] [--profile tottime]
                               [--mix] [--no-safety-tips]

It builds the bench population in a fresh SQLite database (bench.setup_data), warms the
conversation cache and the stream heads, then writes batches of `--batch` random sends and
prints the CPU and wall time per message. Much quicker and steadier than scenario b for
changes inside `send_batch` (indexes, SQL, serialisation); run the old and the new code in
turns a few times, because single runs still vary by about 10%. `--profile` prints cProfile's
top functions sorted by that key. `--mix` sends bench.risk_micro's mix of bodies (mostly
everyday messages, about one in ten with a phone number, a link, an IBAN …) instead of one
everyday sentence; `--no-safety-tips` runs with PARLEY_SAFETY_TIPS=0 (no risk detection), so
`python -m bench.risk_micro --send` can compare the two (docs/benchmarks.md).
`--no-search-index` drops parley.search's triggers, to compare the send path with and without
keeping the search index (docs/benchmarks.md, "Search and the inbox at scale").
"""

import argparse
import os
import random
import tempfile
import time
import uuid


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.send_micro", description=__doc__.split("\n\n")[0])
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--messages", type=int, default=20_000)
    p.add_argument("--pairs", type=int, default=1000)
    p.add_argument("--profile", metavar="SORT", help="cProfile sorted by SORT (tottime, cumulative)")
    p.add_argument("--mix", action="store_true", help="bench.risk_micro's mix of bodies, some risky")
    p.add_argument("--no-safety-tips", action="store_true", help="PARLEY_SAFETY_TIPS=0: no risk detection")
    p.add_argument("--no-search-index", action="store_true",
                   help="drop parley.search's triggers first: the send path without keeping the index")
    p.add_argument("--profile-dump", metavar="PATH",
                   help="with --profile, also write cProfile's stats to PATH (to compare two runs' call counts)")
    p.add_argument("--show-sql", type=int, default=0, metavar="N", help="print the first N statements measured")
    p.add_argument("--postgres", metavar="URL",
                   help="a fresh PostgreSQL database made from this server URL instead of SQLite (dropped after)")
    p.add_argument("--no-notifications", action="store_true", help="PARLEY_NOTIFICATIONS=0: no notifications sink")
    p.add_argument("--numbered", action="store_true",
                   help="the load generator's bodies (two numbers of their own each), not one repeated sentence")
    args = p.parse_args(argv)
    if args.no_safety_tips:
        os.environ["PARLEY_SAFETY_TIPS"] = "0"
    if args.no_notifications:
        os.environ["PARLEY_NOTIFICATIONS"] = "0"
    # As in production (`make run`): after-commit sinks queue their tasks in the database for the
    # worker, so what is measured is what the send path pays, not the worker's own work.
    os.environ.setdefault("PARLEY_TASKS", "database")

    work = tempfile.mkdtemp(prefix="parley-micro-")
    os.environ["DATABASE_URL"] = f"sqlite:///{work}/micro.sqlite3"
    pg = None
    if args.postgres:
        from .runner import Database

        pg = Database("postgres", __import__("pathlib").Path(work), args.postgres)
        os.environ["DATABASE_URL"] = pg.url
    try:
        _run(args)
    finally:
        if pg is not None:
            from django.db import connections

            connections.close_all()
            pg.drop()


def _run(args) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "parley.settings"
    # As the bench servers (bench.runner): no rate limit, no new-account tier (users are seconds old).
    os.environ.setdefault("PARLEY_SEND_RATE", "100000/1")
    os.environ.setdefault("PARLEY_NEW_ACCOUNT_HOURS", "0")
    from .setup_data import setup

    setup(args.pairs, "m")
    from django.contrib.auth import get_user_model
    from django.db import connection

    if args.no_search_index:
        from parley.conversations.models import Message

        with connection.cursor() as cur:
            if connection.vendor == "postgresql":  # one trigger function, on the message table
                cur.execute(f'DROP TRIGGER IF EXISTS parley_search_index ON "{Message._meta.db_table}"')
            else:
                for trigger in ("parley_search_ai", "parley_search_ad", "parley_search_au"):
                    cur.execute(f"DROP TRIGGER IF EXISTS {trigger}")

    from parley.conversations.access import ConversationCache
    from parley.conversations.models import Conversation
    from parley.conversations.services.send import SendRequest, send_batch

    conversations = list(Conversation.objects.all())
    users = {u.pk: u for u in get_user_model().objects.all()}
    cache = ConversationCache(ttl=3600)
    rnd = random.Random(1)
    if args.mix:
        from .risk_micro import mix

        bodies = mix(args.messages, seed=2)
    else:
        bodies = ["Hello, is it still available?"] * args.messages
    if args.numbered:  # the load generator's bodies: two numbers no other message has, so new index entries
        bodies = [f"{time.monotonic_ns()} {i} bench message" for i in range(args.messages)]
    picked = iter(bodies * 2)

    def batch():
        out = []
        for c in rnd.sample(conversations, args.batch):
            sender = users[c.buyer_id if rnd.random() < 0.5 else c.seller_id]
            out.append(SendRequest(sender, c.pk, next(picked), str(uuid.uuid4())))
        return out

    for c in conversations:  # warm-up: every conversation cached, every stream head created
        send_batch([SendRequest(users[c.buyer_id], c.pk, "warm-up", str(uuid.uuid4()))], cache=cache)
    batches = [batch() for _ in range(args.messages // args.batch)]
    count = len(batches) * args.batch

    # The flaggers' own CPU inside the send path (safety tips' detection), timed where it runs.
    from parley.conversations import policy

    flag_cpu = [0]
    flags_for = policy.flags_for

    def timed_flags_for(bodies):
        start = time.process_time_ns()
        try:
            return flags_for(bodies)
        finally:
            flag_cpu[0] += time.process_time_ns() - start

    policy.flags_for = timed_flags_for

    from django.db import connection

    statements = [0]

    shown = []

    def count_statements(execute, sql, params, many, context):
        statements[0] += 1
        if args.show_sql and len(shown) < args.show_sql:
            shown.append(sql)
            print(f"SQL {len(shown)}: {sql[:300]}")
        return execute(sql, params, many, context)

    # The notifications sink's own CPU after each commit (queueing its task), timed where it runs.
    from parley.stream import sinks

    sink_cpu = [0]
    if "notifications" in sinks._sinks:
        notify_sink = sinks._sinks["notifications"]

        def timed_sink(events):
            start = time.process_time_ns()
            try:
                return notify_sink(events)
            finally:
                sink_cpu[0] += time.process_time_ns() - start

        sinks.register_sink("notifications", timed_sink)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU, not wall: waits on the database are not cost
        profiler.enable()
    wal = _wal_so_far(connection)
    from parley.realtime.asgi import tune_runtime

    tune_runtime()  # the server's GC thresholds: without them, full collections stall the batches
    from bench.procstat import PostgresSample

    pg = PostgresSample() if connection.vendor == "postgresql" else None
    cpu, wall = time.process_time(), time.perf_counter()
    batch_ms = []  # each batch's wall time: a stall (a GIN pending-list flush, say) shows in the tail
    with connection.execute_wrapper(count_statements):
        for b in batches:
            start = time.perf_counter()
            send_batch(b, cache=cache)
            batch_ms.append(1000 * (time.perf_counter() - start))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    pg_cpu = pg.stop() if pg is not None else None
    wal = [after - before for before, after in zip(wal, _wal_so_far(connection))] if wal else None
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.profile).print_stats(30)
        if args.profile_dump:
            profiler.dump_stats(args.profile_dump)
    errors = sum(r.error is not None for b in batches for r in b)
    if errors:
        print("first error:", next(repr(r.error) for b in batches for r in b if r.error is not None))
    from parley.conf import settings

    worker = ""
    if settings.PARLEY_NOTIFICATIONS and os.environ.get("PARLEY_TASKS") == "database":
        worker_ms, items = _run_ladder_tasks()
        worker = f", notifications worker {1000 * worker_ms / max(items, 1):.1f} µs/msg"
    tips = "on" if settings.PARLEY_SAFETY_TIPS else "off"
    notify = "on" if settings.PARLEY_NOTIFICATIONS else "off"
    print(f"batch {args.batch}, safety tips {tips}, notifications {notify}: {count} messages, "
          f"CPU {1000 * cpu / count:.3f} ms/msg, wall {1000 * wall / count:.3f} ms/msg, errors {errors}, "
          f"flaggers {flag_cpu[0] / 1000 / count:.1f} µs/msg, notifications sink {sink_cpu[0] / 1000 / count:.1f} µs/msg"
          f"{worker}, {connection.vendor}: {statements[0] / len(batches):.1f} statements per batch")
    if pg_cpu is not None:  # every postgres process on this machine: with nothing else running, the send path's
        print(f"PostgreSQL CPU {1000 * pg_cpu / count:.3f} ms/msg")
    if wal:  # the whole server's WAL: with nothing else writing, the send path's
        print(f"WAL per message: {wal[0] / count:.0f} bytes, {wal[1] / count:.1f} records, "
              f"{wal[2] / count:.2f} full-page images")
    batch_ms.sort()
    print(f"batch wall ms: p50 {batch_ms[len(batch_ms) // 2]:.2f}, p99 {batch_ms[int(len(batch_ms) * 0.99)]:.2f}, "
          f"p99.9 {batch_ms[int(len(batch_ms) * 0.999)]:.2f}, max {batch_ms[-1]:.2f}")
    if errors:
        raise SystemExit(1)


def _wal_so_far(connection) -> tuple | None:
    """PostgreSQL's WAL written so far (bytes, records, full-page images); None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT wal_bytes, wal_records, wal_fpi FROM pg_stat_wal")
        return cur.fetchone()


def _run_ladder_tasks() -> tuple[float, int]:
    """Run the queued `ladder` tasks here, as the worker would (not on the send path); return
    their CPU in ms and the messages they covered."""
    from django_tasks_db.models import DBTaskResult

    from parley.notifications.sink import buffer
    from parley.notifications.tasks import ladder

    buffer.flush()
    rows = list(DBTaskResult.objects.filter(task_path__endswith=".ladder").values_list("args_kwargs", flat=True))
    import orjson

    items = sum(len(orjson.loads(r["args"][0])[0]) for r in rows)
    cpu = time.process_time()
    for args_kwargs in rows:
        ladder.func(*args_kwargs["args"], **args_kwargs["kwargs"])
    return 1000 * (time.process_time() - cpu), items


if __name__ == "__main__":
    main()

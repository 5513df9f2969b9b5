"""Item status fan-out (parley.deals): one seller, one listing, N buyers each in their own
enquiry thread with an open socket. The seller changes the status from her socket
(`listing_update`); we time, for every buyer, from the frame leaving the seller's client to
that buyer's socket receiving `listing.changed`. Through the database: one transaction per
change appends N+1 events, and the doorbell pushes them after commit.

    python -m bench.deals_fanout [--buyers 500] [--changes 20] [--db sqlite|postgres]

The server is a real `parley serve` process (one uvicorn worker); this process is the load
generator. Baseline in the same run: a change on a listing with one enquiry thread.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .runner import ROOT, Database, Server, workdir
from .wsclient import ws_connect


def regroup(n_buyers: int) -> None:
    """Make every bench conversation about the first seller's first listing (run with the server's env)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    import django

    django.setup()
    from django.db import transaction

    from parley.conversations.models import Conversation, Participant

    with transaction.atomic():
        convs = list(Conversation.objects.order_by("pk")[:n_buyers])
        first = convs[0]
        ids = [c.pk for c in convs]
        Conversation.objects.filter(pk__in=ids).update(listing_id=first.listing_id, seller_id=first.seller_id)
        Participant.objects.filter(conversation_id__in=ids, role="seller").update(user_id=first.seller_id)


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def measure(port: int, data: dict, conversations: list, changes: int, settle: float = 0.3, warmup: int = 2) -> dict:
    """Warm-up changes first (the first event of a user creates their stream head), not counted."""
    loop = asyncio.get_running_loop()
    cookie_name, users = data["cookie_name"], data["users"]
    seller_id = conversations[0][2]
    conv_id = conversations[0][0]
    got: dict[int, float] = {}
    want_status = {"s": None}

    def on_buyer(client, payload):
        if b'"listing.changed"' in payload and want_status["s"] and want_status["s"].encode() in payload:
            got.setdefault(client.uid, time.perf_counter())

    acks = asyncio.Queue()

    def on_seller(client, payload):
        if b'"type":"ack"' in payload or b'"type": "ack"' in payload or b'"type":"error"' in payload:
            acks.put_nowait(payload)

    origin = f"http://127.0.0.1:{port}"
    sem = asyncio.Semaphore(50)

    async def connect(uid, cb):
        async with sem:
            return await ws_connect(loop, "127.0.0.1", port, uid, f"{cookie_name}={users[str(uid)]}", origin, cb)

    buyers = await asyncio.gather(*(connect(c[1], on_buyer) for c in conversations))
    seller = await connect(seller_id, on_seller)
    await asyncio.sleep(1.0)
    latencies, missing, spreads = [], 0, []  # spreads: (first, last) delivery of each change
    statuses = ["reserved", "available"]
    for i in range(warmup + changes):
        status = statuses[i % 2]
        got.clear()
        want_status["s"] = f'"new":"{status}"'
        t0 = time.perf_counter()
        seller.send_text(json.dumps({"type": "listing_update", "id": i + 1, "conversation_id": conv_id, "status": status}))
        deadline = t0 + 10
        while len(got) < len(buyers) and time.perf_counter() < deadline:
            await asyncio.sleep(0.002)
        ack = await asyncio.wait_for(acks.get(), 10)
        assert b'"ack"' in ack, ack
        if i >= warmup:
            times = sorted((t - t0) * 1000 for t in got.values())
            spreads.append((round(times[0], 1), round(times[-1], 1)))
            missing += len(buyers) - len(got)
            latencies += [(t - t0) * 1000 for t in got.values()]
        await asyncio.sleep(settle)
    for c in [*buyers, seller]:
        c.close()
    return {
        "buyers": len(buyers), "changes": changes, "deliveries": len(latencies), "missing": missing,
        "p50_ms": round(pct(latencies, 50), 1), "p99_ms": round(pct(latencies, 99), 1),
        "max_ms": round(max(latencies), 1), "mean_ms": round(statistics.fmean(latencies), 1),
        "first_last_ms": spreads,
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--buyers", type=int, default=500)
    p.add_argument("--changes", type=int, default=20)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--regroup", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.regroup:
        regroup(args.regroup)
        return
    work = workdir()
    results = {}
    for label, n in (("baseline (1 thread)", 1), (f"{args.buyers} threads", args.buyers)):
        db = Database(args.db, work, args.pg if args.db == "postgres" else None)
        try:
            data = db.populate(n)
            subprocess.run([sys.executable, "-m", "bench.deals_fanout", "--regroup", str(n)], cwd=ROOT, env=db.env(),
                           check=True)
            server = Server(db, work, name=f"deals-{n}")
            server.start()
            try:
                results[label] = asyncio.run(measure(server.port, data, data["conversations"][:n], args.changes))
            finally:
                server.stop()
        finally:
            db.drop()
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"deals fan-out, {args.db}, {stamp}, {os.cpu_count()} cores")
    print("| case | deliveries | missing | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for label, r in results.items():
        print(f"| {label} | {r['deliveries']} | {r['missing']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} |")
    Path(work / "deals_fanout.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

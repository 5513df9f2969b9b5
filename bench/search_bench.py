"""Search and inbox at scale (issue 14): seed 1,000,000 messages in 50,000 conversations with
bulk SQL, then time search for a user with 500 conversations and the first inbox page of a user
with 5,000, through the same selectors the API calls.

    .venv/bin/python -m bench.search_bench                      # SQLite, a fresh var/bench-search.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h14 .venv/bin/python -m bench.search_bench --wipe
    .venv/bin/python -m bench.search_bench --conversations 5000 --messages 100000   # smaller

The seed is reused when it is already there with the same size (--reseed to start again). The
words follow a Zipf law over a 3,000-word vocabulary (French and English words, some with
accents), 5 to 14 words per message, so common words match thousands of messages and rare ones
a handful. Queries are one or two words drawn the same way, typed with and without accents.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

BASE_WORDS = (
    "vélo lampe prix table chaise canapé livre photo disponible bonjour merci demain livraison rouge bleu vert "
    "neuf occasion état parfait réduction offre envoi colis retrait adresse heure samedi dimanche soir matin "
    "bike lamp price chair sofa book available hello thanks tomorrow delivery red blue green new used condition "
    "perfect discount offer shipping parcel pickup address hour saturday sunday evening morning still interested "
    "question answer photo size taille couleur color garantie warranty facture invoice échange exchange cash "
    "espèces virement transfer rendez-vous meeting gare station centre center ville city école school"
).split()


def vocabulary(n: int, rng: random.Random) -> list[str]:
    syllables = ["ba", "be", "bi", "bo", "ca", "ce", "co", "da", "de", "di", "fa", "fe", "fi", "ga", "la", "le", "li",
                 "lo", "ma", "me", "mi", "mo", "na", "ne", "ni", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "sa",
                 "se", "si", "so", "ta", "te", "ti", "to", "va", "ve", "vi", "vé", "zé", "tra", "pro", "con", "ment"]
    words = list(dict.fromkeys(BASE_WORDS))
    while len(words) < n:
        w = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if w not in words:
            words.append(w)
    return words


def zipf_sampler(words: list[str], rng: random.Random):
    weights = [1 / (i + 1) for i in range(len(words))]
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    import bisect

    def draw() -> str:
        return words[bisect.bisect_left(cum, rng.random() * total)]

    return draw


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    os.environ.setdefault("PARLEY_SAFETY_TIPS", "0")
    import django

    django.setup()


def seed(*, conversations: int, messages: int, heavy: int, target: int, rng: random.Random) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", interactive=False, verbosity=0)
    users_n = max(conversations // 2, 1000)
    per_conv = messages // conversations
    now = datetime.now(UTC)
    start = now - timedelta(days=365)
    words = vocabulary(3000, rng)
    draw = zipf_sampler(words, rng)
    t0 = time.perf_counter()
    vendor = connection.vendor
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM auth_user")
        u0 = cur.fetchone()[0]
        rows = [(u0 + i + 1, "!unusable", False, f"bs{u0 + i + 1}", f"First{i}", f"Last{i}", "", False, True, now)
                for i in range(users_n)]
        _bulk(cur, "auth_user", ["id", "password", "is_superuser", "username", "first_name", "last_name", "email",
                                 "is_staff", "is_active", "date_joined"], rows)
        heavy_id, target_id = u0 + 1, u0 + 2  # the seller with `heavy` conversations, the searcher with `target`
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM marketplace_listing")
        l0 = cur.fetchone()[0]
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM parley_conversations_conversation")
        c0 = cur.fetchone()[0]
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM parley_conversations_message")
        m0 = cur.fetchone()[0]
        listings, convs, parts = [], [], []
        for i in range(conversations):
            if i < heavy:
                seller = heavy_id
            elif i < heavy + target:
                seller = target_id
            else:
                seller = u0 + 3 + rng.randrange(users_n - 3)
            buyer = u0 + 3 + rng.randrange(users_n - 3)
            while buyer == seller:
                buyer = u0 + 3 + rng.randrange(users_n - 3)
            lid, cid = l0 + i + 1, c0 + i + 1
            title = " ".join(draw() for _ in range(3)).capitalize()
            listings.append((lid, title, "", "10.00", "EUR", "", seller, "available", start))
            last = start + timedelta(seconds=rng.randrange(365 * 86400))
            convs.append((cid, lid, buyer, seller, start, last, per_conv))
            parts.append((cid, buyer, "buyer", per_conv - rng.randrange(3), last))
            parts.append((cid, seller, "seller", per_conv - rng.randrange(3), last))
        _bulk(cur, "marketplace_listing", ["id", "title", "description", "price", "currency", "photo", "seller_id",
                                           "status", "created_at"], listings)
        _bulk(cur, "parley_conversations_conversation", ["id", "listing_id", "buyer_id", "seller_id", "created_at",
                                                         "last_activity_at", "last_seq"], convs)
        _bulk(cur, "parley_conversations_participant", ["conversation_id", "user_id", "role", "last_read_seq",
                                                        "last_activity_at"], parts)
        print(f"  users, listings, conversations: {time.perf_counter() - t0:.1f} s", flush=True)
        mid = m0
        batch = []
        for cid, _lid, buyer, seller, _s, last, _n in convs:
            for seq in range(1, per_conv + 1):
                mid += 1
                body = " ".join(draw() for _ in range(rng.randint(5, 14)))
                at = last - timedelta(minutes=per_conv - seq)
                batch.append((mid, cid, buyer if seq % 2 else seller, seq, body, str(uuid.uuid4()), at, "", 0, ""))
            if len(batch) >= 20000:
                _bulk(cur, "parley_conversations_message", ["id", "conversation_id", "sender_id", "seq", "body",
                                                            "client_msg_id", "created_at", "flags", "revision", "attachments"], batch)
                batch = []
                print(f"  messages: {mid - m0:,} ({time.perf_counter() - t0:.0f} s)", flush=True)
        if batch:
            _bulk(cur, "parley_conversations_message", ["id", "conversation_id", "sender_id", "seq", "body",
                                                        "client_msg_id", "created_at", "flags", "revision", "attachments"], batch)
        if vendor == "postgresql":
            for table in ("auth_user", "marketplace_listing", "parley_conversations_conversation",
                          "parley_conversations_message", "parley_conversations_participant"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        if vendor == "sqlite":
            cur.execute("INSERT INTO parley_search_fts(parley_search_fts) VALUES ('optimize')")
    print(f"  seeded in {time.perf_counter() - t0:.0f} s", flush=True)
    return {"heavy": heavy_id, "target": target_id, "words": words}


def _bulk(cur, table, columns, rows, chunk=2000):
    from django.db import connection

    if connection.vendor == "postgresql":
        raw = cur.cursor  # psycopg 3: COPY is the fast path, and the triggers still fire
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    for i in range(0, len(rows), chunk):
        part = rows[i:i + chunk]
        cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([marks] * len(part)),
                    [v for row in part for v in row])


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def run(args):
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from parley.conversations import selectors as conv_selectors
    from parley.conversations.serializers import inbox_row
    from parley.search import selectors
    from parley.search.backends import backend
    from parley.search.query import fold, parse

    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(14)
    User = get_user_model()
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM parley_conversations_message")
        have = cur.fetchone()[0]
    if args.reseed or have < args.messages:
        if have and connection.vendor == "postgresql" and not args.wipe:
            sys.exit("The database has other data: pass --wipe to empty it first (it is flushed).")
        if args.wipe and connection.vendor == "postgresql":
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
            with connection.cursor() as cur:
                cur.execute("TRUNCATE parley_search_doc")
        print(f"seeding {args.messages:,} messages in {args.conversations:,} conversations ({connection.vendor})…", flush=True)
        seed(conversations=args.conversations, messages=args.messages, heavy=args.heavy, target=args.target, rng=rng)
    heavy = User.objects.filter(username__startswith="bs").order_by("id").first()
    target = User.objects.filter(username__startswith="bs").order_by("id")[1]
    words = vocabulary(3000, random.Random(14))
    draw = zipf_sampler(words, rng)
    queries = []
    for i in range(args.queries):
        q = draw() if i % 3 else f"{draw()} {draw()}"
        queries.append(fold(q) if i % 2 else q)
    print(f"\n{connection.vendor}: {args.messages:,} messages, {args.conversations:,} conversations; "
          f"searcher has {args.target} conversations ({args.target * args.messages // args.conversations:,} messages)")
    for q in queries[:10]:  # warm up
        selectors.search(user=target, q=q)
    hits = []
    full = []
    only = []
    b = backend()
    for q in queries:
        t = time.perf_counter()
        page = selectors.search(user=target, q=q)
        full.append((time.perf_counter() - t) * 1000)
        hits.append(len(page["results"]))
        terms = parse(q).terms
        t = time.perf_counter()
        b.message_ids(user_id=target.pk, terms=terms, before_id=None, limit=21)
        only.append((time.perf_counter() - t) * 1000)
    print(f"search, whole request path (parse, index, load, access, snippets, names), {len(queries)} queries: "
          f"p50 {percentile(full, 50):.1f} ms, p95 {percentile(full, 95):.1f} ms, max {max(full):.1f} ms; "
          f"{sum(1 for h in hits if h)} found something, mean {statistics.mean(hits):.1f} results")
    print(f"search, the index query alone: p50 {percentile(only, 50):.1f} ms, p95 {percentile(only, 95):.1f} ms")
    first_page = lambda: [inbox_row(p) for p in conv_selectors.inbox_page(user=heavy)[0]]  # noqa: E731
    first_page()
    inbox = timed(first_page, args.inbox_runs)
    print(f"inbox first page (30 rows, serialized) for a user with {args.heavy:,} conversations, {args.inbox_runs} runs: "
          f"p50 {percentile(inbox, 50):.1f} ms, p95 {percentile(inbox, 95):.1f} ms")
    counts = timed(lambda: conv_selectors.inbox_counts_for(user=heavy), args.inbox_runs)
    print(f"inbox counts for the same user: p50 {percentile(counts, 50):.1f} ms, p95 {percentile(counts, 95):.1f} ms")
    if args.explain:
        explain(first_page, "inbox first page")
        explain(lambda: conv_selectors.conversation_names_for(user=target), "search's names")
    load = os.getloadavg()
    print(f"load average during the run: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores "
          f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")


def explain(fn, label):
    """Print the database's plan for each query `fn` runs (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    with connection.cursor() as cur:
        for n, query in enumerate(ctx.captured_queries, 1):
            print(f"plan of {label}, query {n}:")
            sqlite = connection.vendor == "sqlite"
            cur.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ANALYZE ") + query["sql"])
            for row in cur.fetchall():
                print("   ", row[-1] if sqlite else row[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--target", type=int, default=500, help="conversations of the user who searches")
    parser.add_argument("--heavy", type=int, default=5_000, help="conversations of the user whose inbox is timed")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--inbox-runs", type=int, default=200)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--explain", action="store_true", help="print the plans of the inbox's and the names' queries")
    parser.add_argument("--wipe", action="store_true", help="PostgreSQL: flush the database before seeding")
    args = parser.parse_args(argv)
    if "DATABASE_URL" not in os.environ:
        from pathlib import Path

        path = Path("var/bench-search.sqlite3").resolve()
        path.parent.mkdir(exist_ok=True)
        if args.reseed and path.exists():
            path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    run(args)


if __name__ == "__main__":
    main()

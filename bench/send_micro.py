"""The send path's writer alone: CPU per message of `send_batch`, no sockets, no event loop.

    python -m bench.send_micro [--batch 16] [--messages 20000] [--pairs 1000] [--profile tottime]

It builds the bench population in a fresh SQLite database (bench.setup_data), warms the
conversation cache and the stream heads, then writes batches of `--batch` random sends and
prints the CPU and wall time per message. Much quicker and steadier than scenario b for
changes inside `send_batch` (indexes, SQL, serialisation); run the old and the new code in
turns a few times, because single runs still vary by about 10%. `--profile` prints cProfile's
top functions sorted by that key.
"""

import argparse
import os
import random
import sys
import tempfile
import time
import uuid


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.send_micro", description=__doc__.split("\n\n")[0])
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--messages", type=int, default=20_000)
    p.add_argument("--pairs", type=int, default=1000)
    p.add_argument("--profile", metavar="SORT", help="cProfile sorted by SORT (tottime, cumulative)")
    args = p.parse_args(argv)

    work = tempfile.mkdtemp(prefix="parley-micro-")
    os.environ["DATABASE_URL"] = f"sqlite:///{work}/micro.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "parley.settings"
    from .setup_data import setup

    setup(args.pairs, "m")
    from django.contrib.auth import get_user_model

    from parley.conversations.access import ConversationCache
    from parley.conversations.models import Conversation
    from parley.conversations.services.send import SendRequest, send_batch

    conversations = list(Conversation.objects.all())
    users = {u.pk: u for u in get_user_model().objects.all()}
    cache = ConversationCache(ttl=3600)
    rnd = random.Random(1)

    def batch():
        out = []
        for c in rnd.sample(conversations, args.batch):
            sender = users[c.buyer_id if rnd.random() < 0.5 else c.seller_id]
            out.append(SendRequest(sender, c.pk, "Hello, is it still available?", str(uuid.uuid4())))
        return out

    for c in conversations:  # warm-up: every conversation cached, every stream head created
        send_batch([SendRequest(users[c.buyer_id], c.pk, "warm-up", str(uuid.uuid4()))], cache=cache)
    batches = [batch() for _ in range(args.messages // args.batch)]
    count = len(batches) * args.batch

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu, wall = time.process_time(), time.perf_counter()
    for b in batches:
        send_batch(b, cache=cache)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.profile).print_stats(30)
    errors = sum(r.error is not None for b in batches for r in b)
    print(f"batch {args.batch}: {count} messages, CPU {1000 * cpu / count:.3f} ms/msg, "
          f"wall {1000 * wall / count:.3f} ms/msg, errors {errors}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()

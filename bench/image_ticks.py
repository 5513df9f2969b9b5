"""The event loop's view of image work: a thread that ticks every millisecond beside it.

    .venv/bin/python -m bench.image_ticks --where thread    # the pixel work on a thread of this process (before)
    .venv/bin/python -m bench.image_ticks --where process   # through attachments.imagepool (as served)
    .venv/bin/python -m bench.image_ticks --where idle      # no image work: the machine's own noise

One 4000×3000 photo (bench/uploader.py's) goes through what an upload and its thumbnails cost:
`pixels.clean` (decode under the pixel limit, polyglot checks, re-encode) and, with
`--variants`, `pixels.variants` (the 1,600 and 400 px WebP copies), `--photos` times, from a
thread of this process as the sync view calls it. Meanwhile another thread sleeps 1 ms in a
loop (and, with `--busy`, spends that much CPU in Python per tick, as a loaded event loop
does) and records how long each tick took: a gap beyond 1 ms (plus the busy part) is time
the GIL (or the CPU) was not there for it, as the server's event loop would see it. The longest gap and the 99th
percentile are the figures; the rest of the machine is part of them, less than of a full bench.
"""

import argparse
import os
import statistics
import sys
import threading
import time


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.image_ticks")
    parser.add_argument("--where", choices=("thread", "process", "idle"), required=True)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--variants", action="store_true", help="make the thumbnails too")
    parser.add_argument("--busy", type=float, default=0.0,
                        help="ms of CPU (Python) the ticker spends per tick, as a busy event loop does")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    import django

    django.setup()
    from bench.uploader import photo
    from parley.attachments import imagepool, pixels
    from parley.conf import settings

    data, max_pixels = photo(), settings.PARLEY_ATTACHMENT_MAX_PIXELS
    if settings.PARLEY_GIL_SWITCH_INTERVAL:  # as the server sets it (realtime/asgi.tune_runtime)
        sys.setswitchinterval(float(settings.PARLEY_GIL_SWITCH_INTERVAL))

    def call(fn, *fn_args):
        if args.where == "idle":  # as long as the thread's work takes, without doing it
            time.sleep(0.15 if fn is pixels.clean else 0.3)
            return (data,)
        return imagepool.run(fn, *fn_args) if args.where == "process" else fn(*fn_args)

    if args.where != "idle":
        call(pixels.clean, data, max_pixels)  # start the pool (and warm the decoder) before timing
    gaps, done = [], threading.Event()

    def ticker():
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.001)
            spent = time.thread_time() + args.busy / 1000
            while time.thread_time() < spent:  # the loop's own work: this thread's CPU, and the GIL
                pass
            now = time.perf_counter()
            gaps.append((now - last) * 1000)
            last = now

    def work():
        for _ in range(args.photos):
            stored = call(pixels.clean, data, max_pixels)[0]
            if args.variants:
                call(pixels.variants, stored, (1600, 400))
        done.set()

    tick = threading.Thread(target=ticker)
    tick.start()
    cpu0, t0 = time.process_time(), time.perf_counter()
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    tick.join()
    gaps.sort()
    print(f"where={args.where} photos={args.photos} variants={args.variants} busy={args.busy}ms wall={wall:.1f}s "
          f"this_process_cpu={cpu:.2f}s ticks={len(gaps)} tick_p50={statistics.median(gaps):.2f}ms "
          f"tick_p99={gaps[int(len(gaps) * 0.99)]:.2f}ms tick_max={gaps[-1]:.2f}ms over_10ms={sum(g > 10 for g in gaps)} "
          f"loadavg={os.getloadavg()[0]:.2f}")
    imagepool.shutdown()


if __name__ == "__main__":
    main()

"""Where the pixel work runs: a small pool of processes at the lowest CPU priority.

A thread would not do: decoding and encoding hold the GIL for part of their time, and every
millisecond it is held in the server's process is a millisecond the event loop (every socket)
waits; `nice` on a thread does nothing against the GIL. A process of its own has its own GIL,
and at `SCHED_IDLE` (Linux) the kernel gives it a CPU only when nothing else wants one. The
pool holds `PARLEY_IMAGE_PROCESSES` processes (1 by default), started at the first use, so
that many decodes run at once per server or worker process, and a request waits its turn in
the pool's queue. A decoder that crashes (a hostile file) kills its process, not the server.

Processes start from the `forkserver` (Linux) or by `spawn`: never forked from a process
with threads running. They import `pixels` (Pillow, no Django) and nothing else of Parley,
and exit when the process that started them dies, however it dies.
"""

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from parley.conf import settings

from .pixels import init_process

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


class Crashed(Exception):
    """The image process died during the work (a decoder crash, or it was killed)."""


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _get() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=max(1, int(settings.PARLEY_IMAGE_PROCESSES)),
                                        mp_context=_context(), initializer=init_process,
                                        initargs=(os.getpid(),))
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def run(fn, *args):
    """`fn(*args)` in an image process; its result, or its exception, comes back here.

    `fn` must be a module-level function of `pixels` (or take only picklable values). Raises
    `Crashed` if the process died; the next call starts a fresh pool.
    """
    pool = _get()
    try:
        return pool.submit(fn, *args).result()
    except BrokenProcessPool:
        _discard(pool)
        raise Crashed() from None


def shutdown() -> None:
    """Stop the image processes (they are started again at the next use)."""
    with _lock:
        pool = _pool
    if pool is not None:
        _discard(pool)

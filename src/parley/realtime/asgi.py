"""Mount Parley's realtime endpoint beside any Django ASGI app (GUIDE.md §1).

`parley_asgi(django_app)` returns the ASGI application a project serves: HTTP goes to
Django, `/ws/` to Parley's WebSocket endpoint, and the lifespan starts and stops the
broker that carries events to this process's hub. Call it after Django is set up.

`tune=True` also tunes the interpreter at startup (`tune_runtime`): `parley serve` does,
a host project opts in, because the GIL switch interval and the garbage collector are the
whole process's, not Parley's alone.
"""

import gc
import sys

from parley.conf import settings

from parley.stream.broker import get_broker
from parley.stream.hub import hub
from parley.stream.presence import tracker

from .ws import ws_endpoint

WS_PATH = "/ws/"


def tune_runtime() -> None:
    """Tune the interpreter for a server process: the GIL switch interval and the garbage collector.

    - The GIL is handed over every PARLEY_GIL_SWITCH_INTERVAL seconds (1 ms) instead of
      Python's 5 ms. The send path's writer thread lets go of the GIL on every database call;
      while the event loop is busy, taking it back waits up to the switch interval, once per
      statement. At 2,000 msg/s on SQLite, 1 ms instead of 5 ms brought p99 from 40-44 ms to
      18-32 ms in scenario b (docs/benchmarks.md).
    - The cyclic garbage collector stops the whole process while it runs. With Python's
      thresholds (700, 10, 10), one scenario b run at 2,000 msg/s made about 600 collections,
      four of them full ones of up to 217 ms while the 2,000 sockets connected, each
      traversing everything loaded so far (Django, settings, URL maps, every socket's state).
      gc.freeze() at startup moves what exists then out of its reach, and PARLEY_GC_THRESHOLDS
      (50,000, 20, 100) makes collections rare: 5 in the same run, none full. Garbage without
      cycles is freed at once by reference counting either way; only cycles wait longer.
      Scenario b at 2,000 msg/s went from p99 67-405 ms to 38-46 ms (docs/benchmarks.md).
    """
    interval = settings.PARLEY_GIL_SWITCH_INTERVAL
    if interval:
        sys.setswitchinterval(float(interval))
    thresholds = settings.PARLEY_GC_THRESHOLDS
    if thresholds:
        gc.freeze()
        gc.set_threshold(*thresholds)


async def lifespan(scope, receive, send, *, tune: bool = False) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if tune:
                tune_runtime()
            await get_broker().start(hub.deliver, hub.control)
            await tracker.start()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await tracker.stop()
            await get_broker().stop()
            await send({"type": "lifespan.shutdown.complete"})
            return


def parley_asgi(django_app, *, ws_path: str = WS_PATH, tune: bool = False):
    """Return an ASGI app: Django for HTTP, Parley for WebSocket `ws_path`, and the lifespan."""

    async def application(scope, receive, send) -> None:
        kind = scope["type"]
        if kind == "http":
            await django_app(scope, receive, send)
        elif kind == "websocket":
            if scope["path"] == ws_path:
                await ws_endpoint(scope, receive, send)
            else:
                await receive()
                await send({"type": "websocket.close", "code": 4404})
        elif kind == "lifespan":
            await lifespan(scope, receive, send, tune=tune)

    return application

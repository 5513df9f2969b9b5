"""Mount Parley's realtime endpoint beside any Django ASGI app (GUIDE.md §1).

`parley_asgi(django_app)` returns the ASGI application a project serves: HTTP goes to
Django, `/ws/` to Parley's WebSocket endpoint, and the lifespan starts and stops the
broker that carries events to this process's hub. Call it after Django is set up.
"""

import sys

from parley.conf import settings

from .broker import get_broker
from .hub import hub
from .ws import ws_endpoint

WS_PATH = "/ws/"


def tune_gil() -> None:
    """Hand the GIL over every PARLEY_GIL_SWITCH_INTERVAL seconds (1 ms) instead of Python's 5 ms.

    The send path's writer thread lets go of the GIL on every database call; while the event
    loop is busy, taking it back waits up to the switch interval, once per statement. At
    2,000 msg/s on SQLite, 1 ms instead of 5 ms brought p99 from 40-44 ms to 18-32 ms in
    scenario b (docs/benchmarks.md).
    """
    interval = settings.PARLEY_GIL_SWITCH_INTERVAL
    if interval:
        sys.setswitchinterval(float(interval))


async def lifespan(scope, receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            tune_gil()
            await get_broker().start(hub.deliver, hub.control)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await get_broker().stop()
            await send({"type": "lifespan.shutdown.complete"})
            return


def parley_asgi(django_app, *, ws_path: str = WS_PATH):
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
            await lifespan(scope, receive, send)

    return application

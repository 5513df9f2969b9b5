"""Mount Parley's realtime endpoint beside any Django ASGI app (GUIDE.md §1).

`parley_asgi(django_app)` returns the ASGI application a project serves: HTTP goes to
Django, `/ws/` to Parley's WebSocket endpoint, and the lifespan starts and stops the
broker that carries events to this process's hub. Call it after Django is set up.
"""

from .broker import get_broker
from .hub import hub
from .ws import ws_endpoint

WS_PATH = "/ws/"


async def lifespan(scope, receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
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

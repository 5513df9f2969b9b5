"""The host's ASGI entry point: Django for HTTP, Parley's WebSocket endpoint at /ws/.

Serve it with `uvicorn hostproject.asgi:application --ws websockets-sansio`.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostproject.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_app = get_asgi_application()  # sets Django up before Parley's modules are imported

from parley.realtime.broker import get_broker  # noqa: E402
from parley.realtime.hub import hub  # noqa: E402
from parley.realtime.ws import ws_endpoint  # noqa: E402


async def lifespan(scope, receive, send) -> None:
    # The broker carries events to this process's hub; it starts and stops with the server.
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await get_broker().start(hub.deliver, hub.control)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await get_broker().stop()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope, receive, send) -> None:
    if scope["type"] == "http":
        await django_app(scope, receive, send)
    elif scope["type"] == "websocket" and scope["path"] == "/ws/":
        await ws_endpoint(scope, receive, send)
    elif scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.close", "code": 4404})
    elif scope["type"] == "lifespan":
        await lifespan(scope, receive, send)

"""ASGI entry point: Django for HTTP, the plain WebSocket endpoint for /ws/ (GUIDE.md §1)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")

from django.conf import settings  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_app = get_asgi_application()
if settings.PARLEY_SERVE_FILES:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    django_app = ASGIStaticFilesHandler(django_app)

from parley.realtime.broker import get_broker  # noqa: E402
from parley.realtime.hub import hub  # noqa: E402
from parley.realtime.ws import ws_endpoint  # noqa: E402

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


async def application(scope, receive, send) -> None:
    kind = scope["type"]
    if kind == "http":
        await django_app(scope, receive, send)
    elif kind == "websocket":
        if scope["path"] == WS_PATH:
            await ws_endpoint(scope, receive, send)
        else:
            await receive()
            await send({"type": "websocket.close", "code": 4404})
    elif kind == "lifespan":
        await lifespan(scope, receive, send)

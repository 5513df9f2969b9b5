"""ASGI entry point: Django for HTTP, the plain WebSocket endpoint for /ws/ (GUIDE.md §1)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")

from django.conf import settings  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_app = get_asgi_application()  # sets Django up before Parley's modules are imported
if settings.PARLEY_SERVE_FILES:
    from parley.core.static import StaticFilesHandler

    django_app = StaticFilesHandler(django_app)

from parley.realtime.asgi import parley_asgi  # noqa: E402

application = parley_asgi(django_app, tune=True)  # `parley serve`: a server process of its own

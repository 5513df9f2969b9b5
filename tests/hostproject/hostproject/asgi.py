"""The host's ASGI entry point: Django for HTTP, Parley's WebSocket endpoint at /ws/.

Serve it with `uvicorn hostproject.asgi:application --ws websockets-sansio`.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostproject.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_app = get_asgi_application()  # sets Django up before Parley's modules are imported

from parley.realtime.asgi import parley_asgi  # noqa: E402

application = parley_asgi(django_app)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StreamConfig(AppConfig):
    """The durable per-user stream, the broker and this process's hub.

    The label stays `parley_realtime`, the app these models were first created in, so
    existing databases keep their tables and migration history without a migration.
    """

    name = "parley.stream"
    label = "parley_realtime"
    verbose_name = _("Event stream")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import receivers  # noqa: F401  (logout closes sockets)
        from .sinks import register_sink
        from .broker import ring_doorbells

        register_sink("doorbell", ring_doorbells)
        # Each installed app declares its WebSocket/HTTP frames in frames.py.
        autodiscover_modules("frames")

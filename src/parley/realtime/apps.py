from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "parley.realtime"
    label = "parley_realtime"
    verbose_name = "Realtime"

    def ready(self):
        from . import signals  # noqa: F401  (logout closes sockets)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "parley.realtime"
    label = "parley_realtime"
    verbose_name = _("Realtime")

    def ready(self):
        from . import signals  # noqa: F401  (logout closes sockets)

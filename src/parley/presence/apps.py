from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresenceConfig(AppConfig):
    """Typing and presence: live-only signals between the people of a conversation."""

    name = "parley.presence"
    label = "parley_presence"
    verbose_name = _("Presence")

    def ready(self):
        from parley.conversations.privacy import presence_visible_to
        from parley.stream.presence import tracker

        from . import services

        tracker.on_change(services.presence_changed)
        tracker.on_socket_closed(services.typing_socket_closed)
        tracker.filter_watchers(presence_visible_to)  # privacy: pushes only to who may see it

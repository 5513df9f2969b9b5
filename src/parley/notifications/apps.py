from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Notifications: the ladder from live to email, cancelled the moment a message is read.

    A stream sink hands committed messages and reads to a task; the database claims each step
    (`Notice`), which records why it went out or not. The "Notifications" section of
    /settings/ holds the address, the channels and quiet hours; the conversation's menu mutes.
    """

    name = "parley.notifications"
    label = "parley_notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from parley.accounts.signals import user_signed_up
        from parley.core.settings_page import register_settings_section
        from parley.stream.sinks import register_sink

        from . import events  # noqa: F401 (registers the event schemas)
        from .receivers import remember_language, signed_up
        from .sink import notifications_sink
        from .views import settings_section

        from parley.conf import settings

        if settings.PARLEY_NOTIFICATIONS:
            register_sink("notifications", notifications_sink)
        register_settings_section("notifications", "notifications/settings_notifications.html", settings_section,
                                  order=15)
        user_logged_in.connect(remember_language, dispatch_uid="parley_notifications_language")
        user_signed_up.connect(signed_up, dispatch_uid="parley_notifications_signed_up")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TokensConfig(AppConfig):
    """App tokens: POST /api/v1/auth/token, Bearer on the API, the token in the WebSocket's
    handshake, and the user's signed-in devices. Optional: without it, the API and the socket
    take the session cookie only."""

    name = "parley.tokens"
    label = "parley_tokens"
    verbose_name = _("App tokens")

    def ready(self):
        from parley.core.settings_page import register_settings_section

        from .views import settings_section

        register_settings_section("devices", "tokens/settings_devices.html", settings_section, order=80)

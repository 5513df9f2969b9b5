from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "parley.conversations"
    label = "parley_conversations"
    verbose_name = _("Conversations")

    def ready(self):
        from parley.core.settings_page import register_settings_section

        from .views import privacy_section

        # "Show when I'm online", "Send read receipts": the user's defaults (privacy.py).
        register_settings_section("privacy", "conversations/settings_privacy.html", privacy_section, order=40)

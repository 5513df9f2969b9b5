from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuickRepliesConfig(AppConfig):
    """Quick replies: up to 20 saved texts per user, kept in /settings/ and inserted into the
    composer from the conversation page's "Quick replies" button. Optional: without it, the
    page has no button and the API no /quick-replies."""

    name = "parley.quickreplies"
    label = "parley_quickreplies"
    verbose_name = _("Quick replies")

    def ready(self):
        from parley.core.settings_page import register_settings_section

        from .views import settings_section

        register_settings_section("quick_replies", "quickreplies/settings_quick_replies.html", settings_section, order=30)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "parley.safety"
    label = "parley_safety"
    verbose_name = _("Safety")

    def ready(self):
        from parley.conf import settings
        from parley.conversations.policy import register_flagger, register_send_guard
        from parley.core.settings_page import register_settings_section

        from .selectors import blocked_pairs, blocked_pairs_check
        from .views import settings_section

        register_send_guard(blocked_pairs, check=blocked_pairs_check)
        register_settings_section("blocked", "safety/settings_blocked.html", settings_section, order=50)
        if settings.PARLEY_SAFETY_TIPS:
            from .risk import flag_bodies

            # Explained risk warnings: codes on each message, a tip on the recipient's screen.
            register_flagger(flag_bodies)

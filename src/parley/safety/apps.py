from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "parley.safety"
    label = "parley_safety"
    verbose_name = _("Safety")

    def ready(self):
        from parley.conversations.policy import register_send_guard

        from .selectors import blocked_pairs

        register_send_guard(blocked_pairs)

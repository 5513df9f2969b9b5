from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "parley.conversations"
    label = "parley_conversations"
    verbose_name = _("Conversations")

    def ready(self):
        from django.db.models.signals import pre_delete

        from parley.core.settings_page import register_settings_section

        from .models import Participant
        from .services.unread import participation_deleted
        from .views import privacy_section

        # A deleted participation (its conversation, listing or user deleted) takes its unread
        # messages out of the user's total (services/unread.py).
        pre_delete.connect(participation_deleted, sender=Participant, dispatch_uid="parley_unread_total")

        # "Show when I'm online", "Send read receipts": the user's defaults (privacy.py).
        register_settings_section("privacy", "conversations/settings_privacy.html", privacy_section, order=40)

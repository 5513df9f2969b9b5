from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    """Deals in the conversation: live item status and price, offers, the seller's response
    time and meet-ups. Optional: without it, conversations have no deal bar, no offers and the
    API no /deals endpoints (docs/architecture.md, "Deals")."""

    name = "parley.deals"
    label = "parley_deals"
    verbose_name = _("Deals")

    def ready(self):
        from . import events  # noqa: F401  (registers the event schemas)
        from .webhooks import register

        register()  # the deal events webhooks can carry (docs/webhooks.md)

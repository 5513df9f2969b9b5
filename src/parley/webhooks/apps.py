from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Webhooks: the admin registers endpoints; a stream sink hands committed events to a task
    that records one delivery per endpoint and posts it, signed, with retries. Optional."""

    name = "parley.webhooks"
    label = "parley_webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from parley.stream.sinks import register_sink

        from .models import Endpoint
        from .sink import forget_subscriptions, webhook_sink

        register_sink("webhooks", webhook_sink)
        post_save.connect(forget_subscriptions, sender=Endpoint, dispatch_uid="parley_webhooks_saved")
        post_delete.connect(forget_subscriptions, sender=Endpoint, dispatch_uid="parley_webhooks_deleted")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Search of a user's own messages (SQLite FTS5 or PostgreSQL full text, chosen by the
    database in use), kept in step by triggers on the message table. Optional: without it,
    the inbox has no search box and the API no /search."""

    name = "parley.search"
    label = "parley_search"
    verbose_name = _("Search")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .triggers import restore_triggers

        post_migrate.connect(restore_triggers, dispatch_uid="parley.search.restore_triggers")

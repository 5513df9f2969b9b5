from datetime import timedelta

from django.utils import timezone

from parley.conf import settings
from parley.conversations.services import deleted_purge
from parley.conversations.tasks import purge_deleted
from parley.core.commands import HousekeepingCommand


class Command(HousekeepingCommand):
    help = "Blank the text of messages their senders deleted more than PARLEY_DELETED_KEEP_DAYS ago (kept until then for moderators)."
    task = purge_deleted

    def run(self, days):
        cutoff = timezone.now() - timedelta(days=settings.PARLEY_DELETED_KEEP_DAYS if days is None else days)
        purged = deleted_purge(older_than=cutoff)
        return f"Purged the text of {purged} messages deleted before {cutoff.isoformat()}."

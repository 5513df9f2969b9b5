from datetime import timedelta

from parley.conf import settings
from parley.core.commands import HousekeepingCommand
from parley.notifications.services import clock
from parley.notifications.services.ladder import notices_prune
from parley.notifications.tasks import prune_notices


class Command(HousekeepingCommand):
    help = "Delete finished notification records (live, push, email) older than PARLEY_NOTICE_KEEP_DAYS."
    task = prune_notices

    def run(self, days):
        cutoff = clock() - timedelta(days=settings.PARLEY_NOTICE_KEEP_DAYS if days is None else days)
        return f"Deleted {notices_prune(older_than=cutoff)} notification records finished before {cutoff.isoformat()}."

from datetime import timedelta

from django.utils import timezone

from parley.attachments.services import attachments_purge_unsent
from parley.attachments.tasks import purge_unsent
from parley.conf import settings
from parley.core.commands import HousekeepingCommand


class Command(HousekeepingCommand):
    help = "Delete uploaded files that no message named within PARLEY_UNSENT_UPLOAD_HOURS (24) of their upload."
    task = purge_unsent

    def run(self, days):
        age = timedelta(hours=settings.PARLEY_UNSENT_UPLOAD_HOURS) if days is None else timedelta(days=days)
        cutoff = timezone.now() - age
        return f"Deleted {attachments_purge_unsent(older_than=cutoff)} uploads never sent since before {cutoff.isoformat()}."

from parley.core.commands import HousekeepingCommand
from parley.stream.retention import retention_cutoff, stream_prune
from parley.stream.tasks import prune_streams


class Command(HousekeepingCommand):
    help = "Delete stream events older than the retention (PARLEY_STREAM_RETENTION_DAYS); cursors behind it get resync_required."
    task = prune_streams

    def run(self, days):
        cutoff = retention_cutoff(days)
        deleted = stream_prune(older_than=cutoff)
        return f"Pruned {deleted} stream events created before {cutoff.isoformat()}."

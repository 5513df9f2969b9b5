from django.core.management.base import BaseCommand, CommandError

from parley.stream.retention import retention_cutoff, stream_prune


class Command(BaseCommand):
    help = "Delete stream events older than the retention (PARLEY_STREAM_RETENTION_DAYS); cursors behind it get resync_required."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="keep this many days instead of the setting")
        parser.add_argument("--enqueue", action="store_true", help="hand the work to the task worker instead")

    def handle(self, *args, days=None, enqueue=False, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more.")
        if enqueue:
            from parley.stream.tasks import prune_streams

            result = prune_streams.enqueue()
            self.stdout.write(f"Enqueued prune_streams as task {result.id}.")
            return
        cutoff = retention_cutoff(days)
        deleted = stream_prune(older_than=cutoff)
        self.stdout.write(f"Pruned {deleted} stream events created before {cutoff.isoformat()}.")

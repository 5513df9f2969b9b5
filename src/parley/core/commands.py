"""What the housekeeping commands share (parley_prune_streams, parley_purge_deleted): a
`--days` override of their setting, and `--enqueue` to hand the work to the task worker."""

from django.core.management.base import BaseCommand, CommandError


class HousekeepingCommand(BaseCommand):
    """Subclasses set `task` (a django.tasks task) and implement `run(days) -> str`."""

    task = None

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="keep this many days instead of the setting")
        parser.add_argument("--enqueue", action="store_true", help="hand the work to the task worker instead")

    def handle(self, *args, days=None, enqueue=False, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more.")
        if enqueue:
            result = self.task.enqueue()
            self.stdout.write(f"Enqueued {self.task.name} as task {result.id}.")
            return
        self.stdout.write(self.run(days))

    def run(self, days: int | None) -> str:
        raise NotImplementedError

"""Expire offers past their time and send the meet-up reminders that are due (run every few minutes)."""

from django.core.management.base import BaseCommand

from parley.deals import services
from parley.deals.tasks import expire_offers, remind_meetups


class Command(BaseCommand):
    help = "Expire pending offers past PARLEY_DEALS_OFFER_TTL_HOURS and send meet-up reminders due within the hour."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="hand the work to the task worker instead")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            for task in (expire_offers, remind_meetups):
                result = task.enqueue()
                self.stdout.write(f"Enqueued {task.name} as task {result.id}.")
            return
        expired = services.offers_expire()
        reminded = services.meetups_remind()
        self.stdout.write(f"Expired {expired} offer(s); sent {reminded} meet-up reminder(s).")

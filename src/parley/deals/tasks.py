"""Background work: offer expiry and meet-up reminders (django.tasks, the database worker)."""

from django_tasks import task

from . import services


@task()
def expire_offers() -> int:
    return services.offers_expire()


@task()
def remind_meetups() -> int:
    return services.meetups_remind()

"""Background tasks of conversations (django.tasks; the database worker runs them)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from parley.conf import settings

from .services import deleted_purge


@task()
def purge_deleted() -> int:
    """Blank the text of messages deleted more than PARLEY_DELETED_KEEP_DAYS ago."""
    return deleted_purge(older_than=timezone.now() - timedelta(days=settings.PARLEY_DELETED_KEEP_DAYS))

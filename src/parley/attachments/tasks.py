"""Background work of attachments (django.tasks; the database worker runs it, never the server's loop)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from parley.conf import settings

from . import services


@task()
def make_variants(attachment_id: str) -> bool:
    """Make an uploaded image's thumbnail and viewer size."""
    return services.attachment_make_variants(attachment_id=attachment_id)


@task()
def purge_unsent() -> int:
    """Delete uploads that were never sent within PARLEY_UNSENT_UPLOAD_HOURS."""
    return services.attachments_purge_unsent(
        older_than=timezone.now() - timedelta(hours=settings.PARLEY_UNSENT_UPLOAD_HOURS))

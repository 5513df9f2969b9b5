"""Background tasks (django.tasks; the database backend's worker runs them in production)."""

from django_tasks import task

from .retention import retention_cutoff, stream_prune


@task()
def prune_streams() -> int:
    """Prune stream events past PARLEY_STREAM_RETENTION_DAYS."""
    return stream_prune(older_than=retention_cutoff())

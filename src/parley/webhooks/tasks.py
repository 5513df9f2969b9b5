"""Background tasks (django.tasks; the database backend's worker runs them in production)."""

import logging
from datetime import datetime

import orjson
from django_tasks import task

from . import services

logger = logging.getLogger("parley.webhooks")


@task()
def fan_out(items: str, created_at: str) -> int:
    """Record the deliveries of one commit's events (events.webhook_items, as JSON) and queue them."""
    ids = services.deliveries_create(orjson.loads(items), created_at=datetime.fromisoformat(created_at))
    for pk in ids:
        deliver.enqueue(str(pk))
    return len(ids)


@task()
def deliver(delivery_id: str) -> str | None:
    """Attempt one delivery if it is pending and due; on failure, queue the retry for its time."""
    delivery = services.delivery_attempt(delivery_id)
    if delivery is None:
        return None
    if delivery.status == delivery.Status.PENDING:
        schedule_retry(delivery)
    return delivery.status


def schedule_retry(delivery) -> None:
    """Queue `deliver` for the delivery's next attempt. A backend that cannot defer (the
    immediate one of development and tests) leaves it to `deliver_due`."""
    if deliver.get_backend().supports_defer:
        deliver.using(run_after=delivery.next_attempt_at).enqueue(str(delivery.id))


@task()
def deliver_due() -> int:
    """Attempt every due delivery (after a restart, or a retry whose task was lost)."""
    return services.deliveries_run_due(limit=1000)

"""Deliveries: record one per event and endpoint, attempt them, retry with backoff.

A delivery is claimed before it is attempted (a conditional UPDATE that moves its next
attempt past the request's timeout), so two workers never post it at once, and a delivery
that succeeded is never posted again: running a task twice does nothing more.
"""

import logging
import uuid
from datetime import timedelta

import orjson
from django.db.models import F
from django.utils import timezone

from parley.conf import settings

from . import client
from .events import PING
from .models import Delivery, Endpoint
from .signing import sign

logger = logging.getLogger("parley.webhooks")

# Seconds between attempts: 30 s, 2 min, 10 min, 1 h, 3 h, then every 6 h, until
# PARLEY_WEBHOOK_RETRY_FOR after the event.
BACKOFF = (30, 120, 600, 3600, 3 * 3600, 6 * 3600)


def clock():
    """Now (tests move it instead of sleeping)."""
    return timezone.now()


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt."""
    return timedelta(seconds=BACKOFF[min(attempts, len(BACKOFF)) - 1])


def deliveries_create(items: list[dict], *, created_at=None) -> list[uuid.UUID]:
    """One pending delivery per item and active endpoint subscribed to its type, in one insert.

    An item is {"type", "key", "data"} (events.webhook_items). A key seen before for an
    endpoint makes no second delivery. Returns the new deliveries' ids.
    """
    now = created_at or clock()
    endpoints = list(Endpoint.objects.filter(active=True).only("id", "event_types"))
    rows = [
        Delivery(endpoint_id=endpoint.id, event_type=item["type"], event_key=item["key"], payload=item["data"],
                 created_at=now, next_attempt_at=now)
        for item in items
        for endpoint in endpoints
        if endpoint.wants(item["type"])
    ]
    if not rows:
        return []
    keys = {(row.endpoint_id, row.event_key) for row in rows}
    existing = set(
        Delivery.objects.filter(endpoint_id__in={e for e, _ in keys}, event_key__in={k for _, k in keys})
        .values_list("endpoint_id", "event_key")
    )
    rows = [row for row in rows if (row.endpoint_id, row.event_key) not in existing]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return [row.id for row in rows]


def delivery_send_test(endpoint: Endpoint) -> Delivery:
    """A `ping` delivery to one endpoint, whatever it subscribed to."""
    now = clock()
    return Delivery.objects.create(
        endpoint=endpoint, event_type=PING, event_key=f"ping:{uuid.uuid4()}",
        payload={"endpoint_id": endpoint.pk}, created_at=now, next_attempt_at=now,
    )


def delivery_retry_now(delivery_ids) -> int:
    """Make these deliveries due now (failed ones get one more attempt); returns how many."""
    return Delivery.objects.filter(pk__in=delivery_ids).exclude(status=Delivery.Status.SUCCEEDED).update(
        status=Delivery.Status.PENDING, next_attempt_at=clock()
    )


def body_of(delivery: Delivery) -> bytes:
    return orjson.dumps({
        "id": str(delivery.id),
        "type": delivery.event_type,
        "created_at": delivery.created_at.isoformat().replace("+00:00", "Z"),
        "data": delivery.payload,
    })


def delivery_attempt(delivery_id) -> Delivery | None:
    """Post a due, pending delivery once and record the outcome.

    Returns the delivery, or None when it is not pending and due (done, failed for good,
    not due yet, or another worker has it).
    """
    now = clock()
    timeout = settings.PARLEY_WEBHOOK_TIMEOUT
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + timedelta(seconds=4 * timeout + 60))
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    code, error = _post(delivery, now, timeout) if endpoint.active else (None, "the endpoint is inactive")
    done = clock()
    delivery.last_status_code = code
    delivery.last_error = error[:500]
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = Delivery.Status.SUCCEEDED, done, None
    else:
        retry_at = done + backoff(delivery.attempts)
        if not endpoint.active or retry_at > delivery.created_at + timedelta(seconds=settings.PARLEY_WEBHOOK_RETRY_FOR):
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        else:
            delivery.next_attempt_at = retry_at
        logger.info("webhook delivery %s to endpoint %s: attempt %d failed (%s)", delivery.id, endpoint.pk,
                    delivery.attempts, delivery.last_error)
    delivery.save(update_fields=["status", "delivered_at", "next_attempt_at", "last_status_code", "last_error"])
    return delivery


def _post(delivery: Delivery, now, timeout: float) -> tuple[int | None, str]:
    """POST the signed delivery once; return (HTTP status or None, "" or what went wrong)."""
    endpoint = delivery.endpoint
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "Parley-Event": delivery.event_type,
        "Parley-Delivery": str(delivery.id),
        "Parley-Signature": sign(endpoint.secret, body, int(now.timestamp())),
    }
    try:
        code = client.post(endpoint.url, body, headers, timeout=timeout)
    except client.DeliveryError as e:
        return None, str(e)
    except Exception as e:  # never let one endpoint break the worker
        logger.exception("webhook delivery %s failed unexpectedly", delivery.id)
        return None, f"unexpected error: {type(e).__name__}"
    if not 200 <= code < 300:
        return code, f"HTTP {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
    return code, ""


def deliveries_due(limit: int = 100) -> list[uuid.UUID]:
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=clock())
        .order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )


def deliveries_run_due(limit: int = 100) -> int:
    """Attempt every pending delivery that is due (the retries); returns how many were attempted."""
    return sum(delivery_attempt(pk) is not None for pk in deliveries_due(limit))

"""The stream sink: committed events in, one task out, nothing slow on the committing thread.

With no active endpoint subscribed to an event's type, the sink makes no query at all: the
subscribed types are kept for a few seconds (an endpoint saved in another process is seen
within SUBSCRIPTIONS_TTL), and saving or deleting an endpoint here forgets them.
"""

import logging
import threading
import time

import orjson

from .events import webhook_items

logger = logging.getLogger("parley.webhooks")

SUBSCRIPTIONS_TTL = 5.0
_subscribed: tuple[float, frozenset[str]] | None = None
_forgotten_at = 0.0
_lock = threading.Lock()


def subscribed_types() -> frozenset[str]:
    """The event types some active endpoint wants (one query every SUBSCRIPTIONS_TTL seconds)."""
    global _subscribed
    cached = _subscribed
    if cached is not None and time.monotonic() - cached[0] < SUBSCRIPTIONS_TTL:
        return cached[1]
    from .models import Endpoint

    with _lock:
        started = time.monotonic()
        types = frozenset(
            t for types in Endpoint.objects.filter(active=True).values_list("event_types", flat=True) for t in types
        )
        if started > _forgotten_at:  # an endpoint saved during the query: read again next time
            _subscribed = (started, types)
    return types


def forget_subscriptions(**_kwargs) -> None:
    """Read the subscribed types again at the next commit (an endpoint was saved or deleted)."""
    global _subscribed, _forgotten_at
    _forgotten_at = time.monotonic()
    _subscribed = None


def webhook_sink(events) -> None:
    """Hand the committed events that some endpoint wants to the fan_out task."""
    try:
        types = subscribed_types()
        if not types:
            return
        items = webhook_items(e for e in events if e.type in types)
        if items:
            from .services import clock
            from .tasks import fan_out

            # One JSON string, not nested lists and dicts: django.tasks normalises arguments
            # recursively, several times per enqueue, and that was most of the sink's cost.
            fan_out.enqueue(orjson.dumps(items).decode(), clock().isoformat())
    except Exception:
        logger.exception("webhooks: %d committed events were not handed on", len(events))

"""Writes on the streams themselves (appending lives in stream.py): retention pruning."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from parley.conf import settings

from .models import StreamEvent, UserStream

logger = logging.getLogger("parley.stream")


def stream_prune(*, older_than: datetime) -> int:
    """Delete stream events created before `older_than`; return how many went.

    Each user's `pruned_through` moves up to the last pruned seq first, in the same
    transaction, so a cursor behind it gets resync_required instead of a silent gap.
    """
    cutoffs = (
        StreamEvent.objects.filter(created_at__lt=older_than)
        .values("user_id")
        .annotate(upto=Max("seq"))
        .values_list("user_id", "upto")
    )
    deleted = 0
    for user_id, upto in cutoffs:
        with transaction.atomic():
            UserStream.objects.filter(user_id=user_id, pruned_through__lt=upto).update(pruned_through=upto)
            count, _ = StreamEvent.objects.filter(user_id=user_id, seq__lte=upto).delete()
            deleted += count
    if deleted:
        logger.info("pruned %d stream events older than %s", deleted, older_than.isoformat())
    return deleted


def retention_cutoff(days: int | None = None) -> datetime:
    """Return the moment before which events fall out of retention."""
    days = settings.PARLEY_STREAM_RETENTION_DAYS if days is None else days
    return timezone.now() - timedelta(days=days)

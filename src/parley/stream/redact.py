"""Rewrite what stored events say, when what they describe must no longer be told.

A message hidden by a moderator must not come back through `sync`: the stored
`message.created` events that carry its text are rewritten in the same transaction.
Seqs, types and order stay as they were, so no cursor moves.
"""

from collections.abc import Callable

from parley.core.sql import require_transaction

from .models import StreamEvent


def stream_redact(*, user_ids, type: str, where: dict, rewrite: Callable[[dict], dict]) -> int:
    """Replace the payload of `user_ids`' stored `type` events matching `where`; return how many.

    `where` maps payload key paths to values ({"message__id": 7}); `rewrite` takes a payload
    and returns the new one. Caller holds the transaction that made the change.
    """
    require_transaction("stream_redact")
    lookups = {f"payload__{path}": value for path, value in where.items()}
    found = list(StreamEvent.objects.filter(user_id__in=list(user_ids), type=type, **lookups))
    for event in found:
        event.payload = rewrite(event.payload)
    StreamEvent.objects.bulk_update(found, ["payload"])
    return len(found)

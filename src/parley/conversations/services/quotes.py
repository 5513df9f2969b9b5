"""Stored events of replies carry a quote of another message: keep it as that message is now."""

from parley.stream.redact import stream_redact

from .. import events
from ..serializers import quote_dict


def rewrite_quotes(participants, quoted) -> None:
    """Rewrite the stored events of the replies to `quoted` (after its edit, delete or hide).

    Caller holds the transaction that changed `quoted`; `quoted` has the fields it has now.
    """
    quote = quote_dict(quoted)

    def rewrite(payload: dict) -> dict:
        return {**payload, "message": {**payload["message"], "reply_to": quote}}

    for kind in (events.MESSAGE_CREATED, events.MESSAGE_EDITED):
        stream_redact(user_ids=participants, type=kind, where={"message__reply_to__id": quoted.pk}, rewrite=rewrite)

"""What a webhook carries for each domain event, built from the committed stream events.

Stream events are per recipient (each participant gets a copy); a webhook gets one delivery
per domain event, so each type names the copy it is built from and drops the others.
The shapes are documented in docs/webhooks.md. Types are matched by name, as in
docs/protocol.md: this app imports no other feature app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PING = "ping"


@dataclass(frozen=True)
class WebhookEvent:
    type: str
    label: str
    # (recipient user id, stream event data) -> (dedupe key, webhook data), or None for the
    # copies that are not the one to deliver.
    build: Callable[[int, dict], tuple[str, dict] | None]


def _message_created(user_id: int, data: dict):
    message, conversation = data["message"], data["conversation"]
    if user_id != message["sender_id"]:
        return None  # the sender's copy only: one delivery per message
    return f"message:{message['id']}", {
        "message_id": message["id"],
        "conversation_id": message["conversation_id"],
        "listing_id": conversation["listing"]["id"],
        "sender_id": message["sender_id"],
        "recipient_id": conversation["other"]["id"],
        "body": message["body"],
        "created_at": message["created_at"],
    }


def _conversation_read(user_id: int, data: dict):
    if user_id != data["user_id"]:
        return None  # the reader's copy only
    return f"read:{data['conversation_id']}:{data['user_id']}:{data['seq']}", {
        "conversation_id": data["conversation_id"],
        "reader_id": data["user_id"],
        "seq": data["seq"],
    }


WEBHOOK_EVENTS: dict[str, WebhookEvent] = {}


def register_webhook_event(event: WebhookEvent) -> None:
    """Offer a stream event type to webhooks (a later app, such as offers, registers its own)."""
    WEBHOOK_EVENTS[event.type] = event


register_webhook_event(WebhookEvent("message.created", _("A message is sent"), _message_created))
register_webhook_event(WebhookEvent("conversation.read", _("A conversation is read"), _conversation_read))


def event_type_choices() -> list[tuple[str, str]]:
    return [(t, f"{t} ({e.label})") for t, e in WEBHOOK_EVENTS.items()]


def webhook_items(events) -> list[dict]:
    """The committed stream events that make webhook deliveries, one item per domain event."""
    items = []
    for event in events:
        kind = WEBHOOK_EVENTS.get(event.type)
        if kind is None:
            continue
        built = kind.build(event.user_id, event.data)
        if built is not None:
            key, data = built
            items.append({"type": event.type, "key": key, "data": data})
    return items

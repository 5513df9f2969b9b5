"""The only place the notifications app's events are built. Each is documented in docs/protocol.md."""

from parley.stream.schemas import event_schema

from .schemas import ConversationMuted, ConversationUnmuted

CONVERSATION_MUTED = "conversation.muted"
CONVERSATION_UNMUTED = "conversation.unmuted"

event_schema(CONVERSATION_MUTED, ConversationMuted)
event_schema(CONVERSATION_UNMUTED, ConversationUnmuted)


def conversation_muted(*, conversation_id: int, until: str | None) -> tuple[str, dict]:
    """The user muted a conversation: to their own stream only, so every tab and device goes quiet."""
    return CONVERSATION_MUTED, {"conversation_id": conversation_id, "until": until}


def conversation_unmuted(*, conversation_id: int) -> tuple[str, dict]:
    """The user unmuted a conversation: to their own stream only."""
    return CONVERSATION_UNMUTED, {"conversation_id": conversation_id}

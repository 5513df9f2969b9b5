"""The only place conversation events are built. Each is documented in docs/protocol.md.

Each type's payload schema is registered here (parley.stream.schemas); the builders below
stay plain dicts, and the test suite checks what they build against the schemas.
"""

from parley.stream.schemas import event_schema

from .schemas import ConversationRead, MessageCreated

MESSAGE_CREATED = "message.created"
CONVERSATION_READ = "conversation.read"

event_schema(MESSAGE_CREATED, MessageCreated)
event_schema(CONVERSATION_READ, ConversationRead)


def message_created(*, message: dict, conversation: dict, unread: int, unread_total: int) -> tuple[str, dict]:
    """A new message, as one participant sees it: `conversation` is their inbox row summary."""
    return MESSAGE_CREATED, {
        "message": message,
        "conversation": conversation,
        "unread": unread,
        "unread_total": unread_total,
    }


def conversation_read(
    *, conversation_id: int, reader_id: int, seq: int, unread: int | None = None, unread_total: int | None = None,
) -> tuple[str, dict]:
    """The reader's own copy carries their new counts; the other side's carries none."""
    data = {"conversation_id": conversation_id, "user_id": reader_id, "seq": seq}
    if unread is not None:
        data["unread"] = unread
        data["unread_total"] = unread_total
    return CONVERSATION_READ, data

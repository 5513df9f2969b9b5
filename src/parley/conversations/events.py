"""The only place conversation events are built. Each is documented in docs/protocol.md.

Each type's payload schema is registered here (parley.stream.schemas); the builders below
stay plain dicts, and the test suite checks what they build against the schemas.
"""

from parley.stream.schemas import event_schema

from .schemas import ConversationArchived, ConversationRead, ConversationStarted, ConversationUnread, MessageCreated, MessageDeleted, MessageEdited, MessageHidden

MESSAGE_CREATED = "message.created"
CONVERSATION_READ = "conversation.read"
MESSAGE_HIDDEN = "message.hidden"

event_schema(MESSAGE_CREATED, MessageCreated)
event_schema(CONVERSATION_READ, ConversationRead)
MESSAGE_EDITED = "message.edited"
MESSAGE_DELETED = "message.deleted"

event_schema(MESSAGE_HIDDEN, MessageHidden)
event_schema(MESSAGE_EDITED, MessageEdited)
event_schema(MESSAGE_DELETED, MessageDeleted)
CONVERSATION_UNREAD = "conversation.unread"
event_schema(CONVERSATION_UNREAD, ConversationUnread)
CONVERSATION_ARCHIVED = "conversation.archived"
CONVERSATION_UNARCHIVED = "conversation.unarchived"
event_schema(CONVERSATION_ARCHIVED, ConversationArchived)
event_schema(CONVERSATION_UNARCHIVED, ConversationArchived)
CONVERSATION_STARTED = "conversation.started"
event_schema(CONVERSATION_STARTED, ConversationStarted)


def conversation_started(*, conversation: dict, inbox_moves: dict[str, int]) -> tuple[str, dict]:
    """The buyer opened a conversation: to their own stream only, with its inbox row summary."""
    return CONVERSATION_STARTED, {"conversation": conversation, "inbox_moves": inbox_moves}


def conversation_archived(*, conversation_id: int, counts: dict[str, int]) -> tuple[str, dict]:
    """The user archived a conversation: to their own stream only, with the inbox's counts."""
    return CONVERSATION_ARCHIVED, {"conversation_id": conversation_id, "counts": counts}


def conversation_unarchived(*, conversation_id: int, counts: dict[str, int]) -> tuple[str, dict]:
    """The user brought an archived conversation back: to their own stream only, with the counts."""
    return CONVERSATION_UNARCHIVED, {"conversation_id": conversation_id, "counts": counts}


def conversation_unread(*, conversation_id: int, last_read_seq: int, unread: int, unread_total: int,
                        inbox_moves: dict[str, int]) -> tuple[str, dict]:
    """The user marked a conversation unread: to their own stream only."""
    return CONVERSATION_UNREAD, {"conversation_id": conversation_id, "last_read_seq": last_read_seq,
                                 "unread": unread, "unread_total": unread_total, "inbox_moves": inbox_moves}


def message_edited(*, conversation_id: int, message: dict) -> tuple[str, dict]:
    """The sender edited a message: the same for both participants."""
    return MESSAGE_EDITED, {"conversation_id": conversation_id, "message": message}


def message_deleted(*, conversation_id: int, message_id: int, seq: int) -> tuple[str, dict]:
    """The sender deleted a message: its place stays, its text is gone."""
    return MESSAGE_DELETED, {"conversation_id": conversation_id, "message_id": message_id, "seq": seq}


def message_created(*, message: dict, conversation: dict, unread: int, unread_total: int,
                    inbox_moves: dict[str, int]) -> tuple[str, dict]:
    """A new message, as one participant sees it: `conversation` is their inbox row summary."""
    return MESSAGE_CREATED, {
        "message": message,
        "conversation": conversation,
        "unread": unread,
        "unread_total": unread_total,
        "inbox_moves": inbox_moves,
    }


def conversation_read(
    *, conversation_id: int, reader_id: int, seq: int, unread: int | None = None, unread_total: int | None = None,
    inbox_moves: dict[str, int] | None = None,
) -> tuple[str, dict]:
    """The reader's own copy carries their new counts; the other side's carries none."""
    data = {"conversation_id": conversation_id, "user_id": reader_id, "seq": seq}
    if unread is not None:
        data["unread"] = unread
        data["unread_total"] = unread_total
        data["inbox_moves"] = inbox_moves or {}
    return CONVERSATION_READ, data


def message_hidden(*, conversation_id: int, message_id: int, seq: int) -> tuple[str, dict]:
    """A moderator hid a message: the same for both participants, and no text."""
    return MESSAGE_HIDDEN, {"conversation_id": conversation_id, "message_id": message_id, "seq": seq}

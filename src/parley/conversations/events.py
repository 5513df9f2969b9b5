"""The only place conversation events are built. Each is documented in docs/protocol.md."""

from .models import Conversation, Message
from .serializers import conversation_summary, message_dict

MESSAGE_CREATED = "message.created"
CONVERSATION_READ = "conversation.read"


def message_created(
    message: Message, conversation: Conversation, *, for_user_id: int, unread: int, unread_total: int,
    message_data: dict | None = None,
) -> tuple[str, dict]:
    """`message_data` lets a caller building both participants' copies serialise the message once."""
    return MESSAGE_CREATED, {
        "message": message_data or message_dict(message),
        "conversation": conversation_summary(conversation, for_user_id=for_user_id),
        "unread": unread,
        "unread_total": unread_total,
    }


def conversation_read(conversation: Conversation, *, reader_id: int, seq: int, unread: int | None = None, unread_total: int | None = None) -> tuple[str, dict]:
    """The reader's own copy carries their new counts; the other side's carries none."""
    data = {"conversation_id": conversation.pk, "user_id": reader_id, "seq": seq}
    if unread is not None:
        data["unread"] = unread
        data["unread_total"] = unread_total
    return CONVERSATION_READ, data

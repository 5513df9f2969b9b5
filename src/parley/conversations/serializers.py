"""Plain dicts for the wire: the page JSON, the API and events all use these."""

from .listings import listing_adapter
from .models import Conversation, Message


def iso(dt) -> str | None:
    """ISO 8601 with "Z" for UTC."""
    return dt.isoformat().replace("+00:00", "Z") if dt else None


def user_dict(user) -> dict:
    return {"id": user.pk, "username": user.get_username(), "name": user.get_full_name() or user.get_username()}


def message_dict(message: Message) -> dict:
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "sender_id": message.sender_id,
        "body": message.body,
        "client_msg_id": str(message.client_msg_id),
        "created_at": iso(message.created_at),
    }


def listing_card(conversation: Conversation) -> dict:
    return listing_adapter().card(conversation.listing).as_dict()


def conversation_summary_parts(conversation: Conversation, *, for_user_id: int) -> dict:
    """The parts of a summary that do not move: who, in which role, about which listing."""
    other = conversation.seller if for_user_id == conversation.buyer_id else conversation.buyer
    return {
        "id": conversation.pk,
        "role": "buyer" if for_user_id == conversation.buyer_id else "seller",
        "listing": listing_card(conversation),
        "other": user_dict(other),
    }


def summary_with_counters(parts: dict, *, last_seq: int, last_activity_at: str | None) -> dict:
    """A summary from its fixed parts and the counters that move (`last_activity_at` in ISO)."""
    return {**parts, "last_seq": last_seq, "last_activity_at": last_activity_at}


def conversation_summary(conversation: Conversation, *, for_user_id: int) -> dict:
    """What an inbox row needs, as one participant sees it."""
    return summary_with_counters(
        conversation_summary_parts(conversation, for_user_id=for_user_id),
        last_seq=conversation.last_seq, last_activity_at=iso(conversation.last_activity_at),
    )


def inbox_row(participant) -> dict:
    """An inbox row: the summary, the last message and the unread count."""
    conversation = participant.conversation
    last = getattr(conversation, "last_message", None)  # set by selectors.attach_last_messages
    return {
        **conversation_summary(conversation, for_user_id=participant.user_id),
        "last_message": message_dict(last) if last else None,
        "unread": max(participant.unread, 0),
        "last_read_seq": participant.last_read_seq,
    }


def conversation_detail(conversation: Conversation, *, for_user_id: int, read_marks: dict[int, int]) -> dict:
    other_id = conversation.other_user_id(for_user_id)
    return {
        **conversation_summary(conversation, for_user_id=for_user_id),
        "last_read_seq": read_marks.get(for_user_id, 0),
        "other_read_seq": read_marks.get(other_id, 0),
    }

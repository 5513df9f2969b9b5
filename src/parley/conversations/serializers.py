"""Plain dicts for the wire: the page JSON, the API and events all use these."""

from .listings import listing_adapter
from .models import Conversation, Message


_last_iso: tuple = (None, None)


def iso(dt) -> str | None:
    """ISO 8601 with "Z" for UTC. A batch formats one `now` several times per message, so the
    last result is kept and reused for the very same datetime object (identity, not equality:
    equal instants in other time zones format differently)."""
    global _last_iso
    if not dt:
        return None
    last_dt, last_text = _last_iso
    if dt is last_dt:
        return last_text
    text = dt.isoformat().replace("+00:00", "Z")
    _last_iso = (dt, text)
    return text


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
    """The conversation's listing card, built once per conversation instance."""
    card = conversation.__dict__.get("_parley_listing_card")
    if card is None:
        card = conversation.__dict__["_parley_listing_card"] = listing_adapter().card(conversation.listing).as_dict()
    return card


def conversation_summary(conversation: Conversation, *, for_user_id: int) -> dict:
    """What an inbox row needs, as one participant sees it.

    The parts that do not move (who, role, listing card) are built once per conversation
    instance and participant, like the card; the send path reuses instances for 60 s.
    """
    static = conversation.__dict__.setdefault("_parley_summary", {})
    base = static.get(for_user_id)
    if base is None:
        other = conversation.seller if for_user_id == conversation.buyer_id else conversation.buyer
        base = static[for_user_id] = {
            "id": conversation.pk,
            "role": "buyer" if for_user_id == conversation.buyer_id else "seller",
            "listing": listing_card(conversation),
            "other": user_dict(other),
        }
    return {**base, "last_seq": conversation.last_seq, "last_activity_at": iso(conversation.last_activity_at)}


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

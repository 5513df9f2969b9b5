"""Plain dicts for the wire: the page JSON, the API and events all use these."""

import orjson

from .listings import listing_adapter, listing_model
from .models import Conversation, Message


def iso(dt) -> str | None:
    """ISO 8601 with "Z" for UTC."""
    return dt.isoformat().replace("+00:00", "Z") if dt else None


def user_dict(user) -> dict:
    return {"id": user.pk, "username": user.get_username(), "name": user.get_full_name() or user.get_username()}


# Why a message's text is gone: `removed` on the wire, and its body is "".
REMOVED_BY_MODERATION = "moderation"
REMOVED_BY_SENDER = "sender"


# What a quote needs of the quoted message (load it with .only(*QUOTE_FIELDS)).
QUOTE_FIELDS = ("id", "conversation_id", "seq", "sender_id", "body", "hidden_at", "deleted_at")
QUOTE_LENGTH = 140


def quote_dict(quoted: Message) -> dict:
    """The quoted message as a reply shows it: the start of its text, never a removed one's."""
    data = {"id": quoted.pk, "seq": quoted.seq, "sender_id": quoted.sender_id}
    if quoted.hidden_at is not None or quoted.deleted_at is not None:
        data["body"] = ""
        data["removed"] = REMOVED_BY_MODERATION if quoted.hidden_at is not None else REMOVED_BY_SENDER
    else:
        body = quoted.body
        data["body"] = body if len(body) <= QUOTE_LENGTH else body[: QUOTE_LENGTH - 1].rstrip() + "\u2026"
    return data


def message_dict(message: Message) -> dict:
    """A message for the wire; a hidden one keeps its place but never its text."""
    data = {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "sender_id": message.sender_id,
        "body": message.body,
        "client_msg_id": str(message.client_msg_id),
        "created_at": iso(message.created_at),
    }
    if message.reply_to_id is not None:
        data["reply_to"] = quote_dict(message.reply_to)
    if message.hidden_at is not None or message.deleted_at is not None:
        data["body"] = ""
        data["removed"] = REMOVED_BY_MODERATION if message.hidden_at is not None else REMOVED_BY_SENDER
        return data  # no text, so no safety tip either
    if message.attachments:  # the files' wire dicts, stored once on send (policy.register_attachments)
        data["attachments"] = orjson.loads(message.attachments)
    if message.revision:
        data["revision"] = message.revision
        data["edited_at"] = iso(message.edited_at)
    if message.flags:  # codes attached on send (policy.register_flagger): the recipient's safety tips
        data["flags"] = message.flags.split(",")
    return data


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
        "archived": participant.archived_seq is not None and participant.archived_seq >= conversation.last_seq,
    }


def conversation_detail(
    conversation: Conversation, *, for_user_id: int, read_marks: dict[int, int], read_receipts: bool
) -> dict:
    """With read receipts off between the two (privacy.read_receipts_on), `other_read_seq` is 0."""
    other_id = conversation.other_user_id(for_user_id)
    return {
        **conversation_summary(conversation, for_user_id=for_user_id),
        "last_read_seq": read_marks.get(for_user_id, 0),
        "other_read_seq": read_marks.get(other_id, 0) if read_receipts else 0,
        "read_receipts": read_receipts,
    }


def inbox_items(rows: list[tuple[int, int]]) -> list[dict]:
    """The filter by item: [(listing id, count)] as [{listing: card, count}], in that order."""

    found = listing_model()._default_manager.in_bulk([lid for lid, _n in rows])
    adapter = listing_adapter()
    return [{"listing": adapter.card(found[lid]).as_dict(), "count": n} for lid, n in rows if lid in found]

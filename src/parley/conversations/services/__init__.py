"""Writes. Services are the only writers, and the only publishers (through the stream, after commit)."""

from .archive import conversation_archive, conversation_unarchive
from .conversations import conversation_mark_read, conversation_mark_unread, conversation_start
from .edits import deleted_purge, message_delete, message_edit
from .moderation import message_hide
from .privacy import privacy_set_defaults, privacy_set_override
from .send import SendRequest, message_send, send_batch

__all__ = [
    "SendRequest", "conversation_archive", "conversation_mark_read", "conversation_unarchive", "conversation_mark_unread", "conversation_start", "deleted_purge",
    "message_delete", "message_edit", "message_hide", "message_send", "privacy_set_defaults", "privacy_set_override",
    "send_batch",
]

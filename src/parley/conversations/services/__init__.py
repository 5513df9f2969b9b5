"""Writes. Services are the only writers, and the only publishers (through the stream, after commit)."""

from .conversations import conversation_mark_read, conversation_start
from .send import SendRequest, message_send, send_batch

__all__ = ["SendRequest", "conversation_mark_read", "conversation_start", "message_send", "send_batch"]

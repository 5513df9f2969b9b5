"""Writes of the safety app: blocks, reports and what moderators do about them."""

from .blocks import block_create, block_delete
from .moderation import moderation_hide_message, moderation_suspend, moderation_warn, report_close, require_moderator
from .reports import NOTE_MAX_CHARS, report_create

__all__ = [
    "NOTE_MAX_CHARS",
    "block_create",
    "block_delete",
    "moderation_hide_message",
    "moderation_suspend",
    "moderation_warn",
    "report_close",
    "report_create",
    "require_moderator",
]

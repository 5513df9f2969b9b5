"""The one access check for files: a stranger's file and a missing one raise the same NotFound."""

import uuid

from django.utils.translation import gettext_lazy as _

from parley.conversations.access import message_for
from parley.core.errors import NotFound

from .models import Attachment


def _not_found() -> NotFound:
    return NotFound(_("File not found."))


def attachment_for(user, attachment_id) -> Attachment:
    """Return the file if `user` may read it, else raise NotFound.

    Before it is sent, only its uploader may; after, whoever takes part in the conversation,
    as long as the message is there for them (not deleted by its sender, not hidden).
    """
    try:
        pk = uuid.UUID(str(attachment_id))
    except ValueError:
        raise _not_found() from None
    if not getattr(user, "is_authenticated", False):
        raise _not_found()
    attachment = Attachment.objects.select_related("message").filter(pk=pk).first()
    if attachment is None:
        raise _not_found()
    message = attachment.message
    if message is None:
        if attachment.owner_id != user.pk:
            raise _not_found()
        return attachment
    try:
        message_for(user, message.conversation_id, message.pk)
    except NotFound:
        raise _not_found() from None
    if message.deleted_at is not None or message.hidden_at is not None:
        raise _not_found()
    return attachment

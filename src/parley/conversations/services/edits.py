"""Edit and delete: the sender's own message, within PARLEY_EDIT_WINDOW of sending.

- An edit replaces the text for everyone, keeps the one before as a MessageVersion (for
  moderators only) and counts `revision` up. It names the revision it edits: an edit of a
  text that was already replaced is a `conflict`, and nothing changes. Sending the text the
  message already has is a retry, and succeeds without a change.
- A delete takes the text off every wire: `message_dict` shows "" with `removed: "sender"`,
  and the stored events that carried the text are rewritten (stream.redact). The text stays
  in the database for moderators until `deleted_purge` blanks it. Deleting twice is a retry.

Both participants get `message.edited` / `message.deleted` in the same transaction.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.conf import settings
from parley.core.active import require_active
from parley.core.errors import Conflict, Forbidden, lazy_format
from parley.stream.append import stream_append
from parley.stream.redact import stream_redact

from .. import events
from ..models import Message, MessageVersion
from ..policy import flags_for, messages_purged
from ..serializers import REMOVED_BY_SENDER, message_dict
from ..text import clean_body
from .quotes import rewrite_quotes


class EditWindowClosed(Forbidden):
    code = "edit_window_closed"


class NotYourMessage(Forbidden):
    code = "not_your_message"
    message = _("Only the person who sent a message can change it.")


def _window_minutes() -> int:
    return max(1, settings.PARLEY_EDIT_WINDOW // 60)


def _locked(message: Message, user) -> Message:
    """The message row, locked, after the checks every change makes."""
    require_active(user)
    if message.sender_id != user.pk:
        raise NotYourMessage()
    locked = Message.objects.select_for_update().select_related("conversation").get(pk=message.pk)
    if locked.hidden_at is not None:
        raise Conflict(_("This message was removed by moderation."), code="removed")
    return locked


def _check_window(message: Message, now, message_template) -> None:
    if now - message.created_at > timedelta(seconds=settings.PARLEY_EDIT_WINDOW):
        raise EditWindowClosed(lazy_format(message_template, minutes=_window_minutes()))


def message_edit(*, user, message: Message, body, revision: int) -> Message:
    """Replace the text of `user`'s message; `revision` is the one the user saw."""
    clean = clean_body(body)
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(message, user)
        if locked.deleted_at is not None:
            raise Conflict(_("This message was deleted, so it cannot be edited."), code="deleted")
        if clean == locked.body:
            return locked  # a retry of an edit that was applied, or no change at all
        _check_window(locked, now, _("Messages can be edited for %(minutes)d minutes after sending."))
        if revision != locked.revision:
            raise Conflict(
                _("This message was edited elsewhere since you opened it. Your text was not saved: copy it, then edit again."),
                code="conflict", revision=locked.revision,
            )
        MessageVersion.objects.create(message=locked, revision=locked.revision, body=locked.body, replaced_at=now)
        locked.body, locked.revision, locked.edited_at = clean, locked.revision + 1, now
        # The new text is checked as a sent one is: an edit cannot slip a phone number past a tip.
        locked.flags = flags_for([clean])[0]
        locked.save(update_fields=["body", "revision", "edited_at", "flags"])
        data = message_dict(locked)
        participants = locked.conversation.participant_ids()
        # Stored events show the text as it is now: no one reads an earlier version back.
        _rewrite_stored(participants, locked, lambda payload: {**payload, "message": data})
        stream_append([(uid, *events.message_edited(conversation_id=locked.conversation_id, message=data))
                       for uid in participants])
    return locked


def message_delete(*, user, message: Message) -> bool:
    """Delete `user`'s message for everyone; return whether it was there until now."""
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(message, user)
        if locked.deleted_at is not None:
            message.deleted_at = locked.deleted_at
            return False
        _check_window(locked, now, _("Messages can be deleted for %(minutes)d minutes after sending."))
        locked.deleted_at = message.deleted_at = now
        locked.save(update_fields=["deleted_at"])
        participants = locked.conversation.participant_ids()
        _rewrite_stored(participants, locked, _without_text)
        stream_append([(uid, *events.message_deleted(conversation_id=locked.conversation_id, message_id=locked.pk,
                                                     seq=locked.seq)) for uid in participants])
    return True


def _without_text(payload: dict) -> dict:
    message = {k: v for k, v in payload["message"].items() if k not in ("edited_at", "revision", "attachments")}
    return {**payload, "message": {**message, "body": "", "removed": REMOVED_BY_SENDER}}


def _rewrite_stored(participants, message: Message, rewrite) -> None:
    for kind in (events.MESSAGE_CREATED, events.MESSAGE_EDITED):
        stream_redact(user_ids=participants, type=kind, where={"message__id": message.pk}, rewrite=rewrite)
    rewrite_quotes(participants, message)


def deleted_purge(*, older_than) -> int:
    """Blank the text and files of messages deleted before `older_than`, and their earlier versions.

    `policy.messages_purged` then tells the app that stores the files (after the commit).
    """
    with transaction.atomic():
        ids = list(Message.objects.filter(deleted_at__lt=older_than).filter(~Q(body="") | ~Q(attachments=""))
                   .values_list("pk", flat=True))
        MessageVersion.objects.filter(message_id__in=ids).delete()
        count = Message.objects.filter(pk__in=ids).update(body="", attachments="")
        if ids:
            transaction.on_commit(lambda: messages_purged.send(sender=Message, message_ids=ids))
        return count

"""Quick replies: a user's saved texts, at most MAX_PER_USER, in their chosen order.

- `quick_replies_for` is the list; the first time a user opens it (the settings page, the
  conversation page, the API) it gets three defaults in the language active then. A flag
  row (QuickReplySeeded) keeps them from coming back after the user deleted them.
- Text follows the message rules (trimmed, not empty, no control characters but newline and
  tab), with a 500-character limit. The rule is written here rather than imported from
  parley.conversations.text: both apps sit on the same layer and may not import each other.
"""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from parley.core.errors import Conflict, Invalid, lazy_format
from parley.core.ids import row_or_not_found

from .models import MAX_CHARS, MAX_PER_USER, QuickReply, QuickReplySeeded

# C0 and C1 controls but tab and newline, DEL, and lone surrogates (as parley.conversations.text).
FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

DEFAULTS = [
    _("Yes, it's still available."),
    _("The price is firm, sorry."),
    _("I can meet you at the station on Saturday."),
]


class TooMany(Conflict):
    code = "too_many_quick_replies"


def clean_text(text) -> str:
    """Return the text to store, or raise Invalid with what to fix."""
    if not isinstance(text, str):
        raise Invalid(_("The quick reply must be text."), field="text")
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise Invalid(_("Write the quick reply's text."), field="text")
    if len(text) > MAX_CHARS:
        raise Invalid(
            lazy_format(_("The quick reply is %(length)d characters long; the limit is %(limit)d."),
                        length=len(text), limit=MAX_CHARS),
            field="text", limit=MAX_CHARS,
        )
    if bad := FORBIDDEN.search(text):
        raise Invalid(
            lazy_format(_("The quick reply contains a control character (U+%(code)04X)."), code=ord(bad.group())),
            field="text",
        )
    return text


def _seed(user) -> None:
    """Give the user the default replies once, in the active language."""
    if QuickReplySeeded.objects.filter(user=user).exists():
        return
    try:
        with transaction.atomic():
            QuickReplySeeded.objects.create(user=user)
            QuickReply.objects.bulk_create(
                [QuickReply(user=user, text=str(text), position=i)
                 for i, text in enumerate(DEFAULTS)]
            )
    except IntegrityError:
        pass  # another request seeded them first


def quick_replies_for(*, user) -> list[QuickReply]:
    """The user's quick replies in order (the defaults the first time)."""
    _seed(user)
    return list(QuickReply.objects.filter(user=user).order_by("position", "id"))


def quick_reply_for(user, reply_id) -> QuickReply:
    """One of the user's quick replies; NotFound for anyone else's, as for a missing one."""
    return row_or_not_found(QuickReply.objects.filter(user=user), reply_id, _("No such quick reply."))


def quick_reply_create(*, user, text) -> QuickReply:
    text = clean_text(text)
    with transaction.atomic():
        _seed(user)
        # Lock the user's rows so two creates cannot both pass the limit.
        existing = list(QuickReply.objects.select_for_update().filter(user=user).values_list("position", flat=True))
        if len(existing) >= MAX_PER_USER:
            raise TooMany(lazy_format(
                _("You already have %(limit)d quick replies, the most you can keep. Delete one first."),
                limit=MAX_PER_USER), limit=MAX_PER_USER)
        return QuickReply.objects.create(user=user, text=text, position=max(existing, default=-1) + 1)


def quick_reply_edit(*, reply: QuickReply, text) -> QuickReply:
    reply.text = clean_text(text)
    reply.save(update_fields=["text"])
    return reply


def quick_reply_delete(*, reply: QuickReply) -> None:
    QuickReply.objects.filter(pk=reply.pk).delete()


def quick_reply_move(*, reply: QuickReply, direction: str) -> None:
    """Swap the reply with its neighbour: direction "up" (earlier) or "down" (later)."""
    if direction not in ("up", "down"):
        raise Invalid(_("Move a quick reply up or down."), field="direction")
    with transaction.atomic():
        rows = list(QuickReply.objects.select_for_update().filter(user_id=reply.user_id).order_by("position", "id"))
        ids = [r.pk for r in rows]
        i = ids.index(reply.pk)
        j = i - 1 if direction == "up" else i + 1
        if not 0 <= j < len(rows):
            return  # already first or last
        rows[i], rows[j] = rows[j], rows[i]
        for position, row in enumerate(rows):
            if row.position != position:
                row.position = position
        QuickReply.objects.bulk_update(rows, ["position"])

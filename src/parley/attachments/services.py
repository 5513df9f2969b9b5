"""Attachments' writes: upload, the send seam (check and bind), variants, purges.

Files go through Django's storage API (`STORAGES["parley_attachments"]`), so the default
local disk and an S3-compatible backend are the same code. Only what `validate.inspect`
returns is stored; a row exists only once its file does, and a file whose row could not be
written is deleted again.
"""

import logging
import uuid
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.conf import settings
from parley.core.active import require_active
from parley.core.errors import AppError, Conflict, Invalid, NotFound, lazy_format
from parley.core.ratelimit import rate_limit_many

from . import imagepool, pixels
from .models import Attachment
from .validate import MIB, inspect

logger = logging.getLogger(__name__)

STORAGE = "parley_attachments"
THUMB_PX, LARGE_PX = 400, 1600  # the bubble's thumbnail (2x its 200 CSS px) and the viewer's image


class QuotaExceeded(AppError):
    code = "quota_exceeded"
    status = 429


def storage():
    return storages[STORAGE]


def attachment_dict(attachment: Attachment) -> dict:
    """The file as the wire carries it (conversations.schemas.AttachmentOut)."""
    pk = str(attachment.pk)
    data = {"id": pk, "kind": attachment.kind, "name": attachment.name, "content_type": attachment.content_type,
            "size": attachment.size, "url": reverse("api-v1:attachment_file", args=[pk, "file"])}
    if attachment.kind == Attachment.Kind.IMAGE:
        data.update(width=attachment.width, height=attachment.height,
                    thumb_url=reverse("api-v1:attachment_file", args=[pk, "thumb"]),
                    large_url=reverse("api-v1:attachment_file", args=[pk, "large"]))
    if attachment.duration_ms is not None:
        data["duration_ms"] = attachment.duration_ms
    return data


def attachment_upload(*, owner, data: bytes, name: str, voice: bool = False) -> Attachment:
    """Check a file by its content and store what is safe to serve; return its row.

    The rate limit counts every attempt (each one costs a decode); the daily volume counts
    what is stored. An image's pixels are decoded and re-encoded in an image process
    (`validate.inspect`, `imagepool`); its variants are made after the commit, by the task worker.
    """
    require_active(owner)
    refused = rate_limit_many([f"upload:{owner.pk}"], rate=settings.PARLEY_UPLOAD_RATE,
                              message=_("You are uploading too fast. Try again in %(seconds)d s."))[0]
    if refused is not None:
        raise refused
    checked = inspect(data, name, voice=voice)
    _check_daily_volume(owner, len(checked.data))
    pk = uuid.uuid4()
    stored = storage().save(f"{pk.hex[:2]}/{pk}.{checked.ext}", ContentFile(checked.data))
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                id=pk, owner=owner, kind=checked.kind, name=checked.name, content_type=checked.content_type,
                size=len(checked.data), width=checked.width, height=checked.height,
                duration_ms=checked.duration_ms, file=stored,
            )
            if checked.kind == Attachment.Kind.IMAGE:
                transaction.on_commit(lambda: _enqueue_variants(pk))
    except BaseException:
        storage().delete(stored)
        raise
    return attachment


def _enqueue_variants(pk) -> None:
    from .tasks import make_variants  # the task module imports this one

    make_variants.enqueue(str(pk))


def _check_daily_volume(owner, size: int) -> None:
    since = timezone.now() - timedelta(hours=24)
    used = Attachment.objects.filter(owner=owner, created_at__gte=since).aggregate(n=Sum("size"))["n"] or 0
    limit = settings.PARLEY_UPLOAD_DAILY_BYTES
    if used + size > limit:
        raise QuotaExceeded(lazy_format(
            _("You have uploaded %(used).0f MiB in the last 24 hours; the limit is %(limit).0f MiB a day. "
              "Try again tomorrow."), used=used / MIB, limit=limit / MIB), limit=limit, used=used)


def attachment_make_variants(*, attachment_id) -> bool:
    """Make an image's thumbnail and viewer size from its stored re-encoding; False if gone."""
    attachment = Attachment.objects.filter(pk=attachment_id, kind=Attachment.Kind.IMAGE).first()
    if attachment is None or attachment.thumb:
        return False
    with storage().open(attachment.file, "rb") as handle:
        original = handle.read()
    # The pixels in an image process (imagepool: lowest priority, a bounded number at once);
    # the storage here, so that an S3-compatible backend stays this process's business.
    made_px = imagepool.run(pixels.variants, original, (LARGE_PX, THUMB_PX))
    made = {field: storage().save(f"{attachment.pk.hex[:2]}/{attachment.pk}-{field}.webp", ContentFile(made_px[px]))
            for field, px in (("large", LARGE_PX), ("thumb", THUMB_PX))}
    updated = Attachment.objects.filter(pk=attachment.pk).update(**made)
    if not updated:  # deleted meanwhile: do not leave the variants behind
        for name in made.values():
            storage().delete(name)
    return bool(updated)


# --- the send seam (conversations.policy.register_attachments) ---

class SendSeam:
    """How a send names files: checked before the transaction, bound inside it."""

    def check(self, requests: list[tuple[int, list]]) -> list:
        wanted = {str(pk) for _sender, ids in requests for pk in ids}
        found = {str(a.pk): a for a in Attachment.objects.filter(pk__in=wanted)} if wanted else {}
        return [self._one(sender_id, [str(pk) for pk in ids], found) for sender_id, ids in requests]

    def _one(self, sender_id: int, ids: list[str], found: dict):
        limit = settings.PARLEY_ATTACHMENTS_PER_MESSAGE
        if len(ids) > limit:
            return Invalid(lazy_format(_("A message can carry up to %(limit)d files."), limit=limit),
                           code="too_many_attachments", field="attachment_ids", limit=limit)
        if len(set(ids)) != len(ids):
            return Invalid(_("The same file is named twice."), field="attachment_ids")
        out = []
        for pk in ids:
            attachment = found.get(pk)
            if attachment is None or attachment.owner_id != sender_id:
                return NotFound(_("A file of this message was not found: upload it again."), field="attachment_ids")
            if attachment.message_id is not None:
                return _taken()
            out.append(attachment_dict(attachment))
        return out

    def bind(self, messages: list[tuple[int, int, list[dict]]]) -> None:
        for message_id, _conversation_id, files in messages:
            ids = [f["id"] for f in files]
            if Attachment.objects.filter(pk__in=ids, message__isnull=True).update(message_id=message_id) != len(ids):
                raise _taken()  # another send took one between the check and this transaction


def _taken() -> Conflict:
    return Conflict(_("A file of this message was already sent with another message."),
                    code="attachment_sent", field="attachment_ids")


# --- deletion: the rows go, and their files after the commit ---

def attachments_delete(queryset) -> int:
    """Delete these attachments; their files follow once that commits (receivers.files_follow_rows)."""
    count, _ = queryset.delete()
    return count


def delete_files(names: list[str]) -> None:
    for name in names:
        try:
            storage().delete(name)
        except Exception:  # a file that cannot be deleted now is logged; the row is gone already
            logger.exception("could not delete attachment file %s", name)


def attachments_purge_messages(*, message_ids) -> int:
    """The retention purge blanked these messages: their files go too."""
    return attachments_delete(Attachment.objects.filter(message_id__in=list(message_ids)))


def attachments_purge_unsent(*, older_than) -> int:
    """Delete uploads that no message named before `older_than`."""
    return attachments_delete(Attachment.objects.filter(message__isnull=True, created_at__lt=older_than))

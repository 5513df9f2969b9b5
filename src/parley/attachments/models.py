import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parley.conf import settings


class Attachment(models.Model):
    """A file a user uploaded to send: a photo, a PDF or a voice message.

    It belongs to its uploader until a send names it (`message` set, in the send
    transaction); from then on whoever takes part in that conversation may read it. Only
    what the server wrote is stored: images re-encoded without metadata, never the bytes as
    received. Storage names are the server's own (`<id>.<ext>`), never the user's.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo")
        PDF = "pdf", _("PDF file")
        VOICE = "voice", _("Voice message")

    # Random, so a URL cannot be guessed; access is still checked on every read (access.py).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()  # bytes stored (counted by the daily volume limit)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # Names in the attachments storage (STORAGES["parley_attachments"]); variants are made by
    # the task worker and stay "" until then (the file is served in their place meanwhile).
    file = models.CharField(max_length=200)
    thumb = models.CharField(max_length=200, blank=True, default="")
    large = models.CharField(max_length=200, blank=True, default="")
    message = models.ForeignKey("parley_conversations.Message", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        indexes = [
            models.Index(fields=["owner", "created_at"], name="attachment_owner_created"),
        ]

    def __str__(self):
        return f"{self.kind} {self.pk} of {self.owner_id}"

    def storage_names(self) -> list[str]:
        return [name for name in (self.file, self.thumb, self.large) if name]

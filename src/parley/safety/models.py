from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Block(models.Model):
    """`blocker` no longer receives messages from `blocked`."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="parley_block_once")]
        indexes = [models.Index(fields=["blocked", "blocker"], name="parley_block_blocked")]


class Report(models.Model):
    """A user's report of a message, or of the other person in a conversation, for the moderators."""

    class Reason(models.TextChoices):
        SCAM = "scam", _("Scam or fraud")
        HARASSMENT = "harassment", _("Harassment")
        SPAM = "spam", _("Spam")
        PROHIBITED = "prohibited", _("Prohibited item")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reported_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("parley_conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    # Null: the report is about the person (from the conversation's menu), not one message.
    message = models.ForeignKey(
        "parley_conversations.Message", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True, default="")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["status", "created_at"], name="parley_report_queue"),
            models.Index(fields=["reporter", "conversation", "status"], name="parley_report_reporter"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_reason_display()}"


class ModerationAction(models.Model):
    """One thing a moderator did, kept as a record: never edited, never deleted."""

    class Kind(models.TextChoices):
        HIDE_MESSAGE = "hide_message", _("Hide message")
        WARN = "warn", _("Warn user")
        SUSPEND = "suspend", _("Suspend user")
        CLOSE_REPORT = "close_report", _("Close report")

    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=Kind.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    target_message = models.ForeignKey(
        "parley_conversations.Message", on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, related_name="actions", null=True, blank=True)
    note = models.TextField(_("note"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.moderator_id}"

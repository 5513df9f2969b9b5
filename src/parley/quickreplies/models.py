from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_CHARS = 500
MAX_PER_USER = 20


class QuickReply(models.Model):
    """One saved reply; `position` orders a user's list (0 first)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parley_quick_replies")
    text = models.CharField(_("text"), max_length=MAX_CHARS)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quick reply")
        verbose_name_plural = _("quick replies")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["user", "position"], name="parley_quickreply_user")]

    def __str__(self):
        return self.text[:50]


class QuickReplySeeded(models.Model):
    """The user got the default replies once: deleting them does not bring them back."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="parley_quick_replies_seeded")
    created_at = models.DateTimeField(auto_now_add=True)

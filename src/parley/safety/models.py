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

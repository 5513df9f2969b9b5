from django.conf import settings
from django.db import models

from parley.core.jsonenc import FastJSONEncoder


class UserStream(models.Model):
    """The head of one user's event stream; its row lock serialises seq allocation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    # Events up to this seq were pruned; a cursor behind it must resync.
    pruned_through = models.BigIntegerField(default=0)


class StreamEvent(models.Model):
    """One event in one user's durable stream, numbered without gaps by seq."""

    # Indexed by the (user, seq) constraint, which leads with it; no index of its own.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    seq = models.BigIntegerField()
    type = models.CharField(max_length=64)
    payload = models.JSONField(encoder=FastJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "seq"], name="stream_event_user_seq")]

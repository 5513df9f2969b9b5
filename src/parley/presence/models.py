from django.conf import settings
from django.db import models


class LastSeen(models.Model):
    """When a user last had an open socket; written when they go offline, at most once a minute."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    at = models.DateTimeField()

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Device(models.Model):
    """A signed-in app on one device: the family of its access and refresh tokens.

    Revoking it ends every token of the family and closes its sockets. `auth_hash` is the
    user's session auth hash when the device signed in (as Django's sessions keep it), so a
    password change ends the device as it ends the other sessions.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parley_devices")
    name = models.CharField(_("name"), max_length=100)
    auth_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("device")
        indexes = [models.Index(fields=["user", "revoked_at"], name="parley_device_user")]

    def __str__(self):
        return f"{self.name} ({self.user_id})"


class Token(models.Model):
    """One access or refresh token, stored as the SHA-256 of its value, never the value."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("access")
        REFRESH = "refresh", _("refresh")

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="tokens")
    kind = models.CharField(max_length=7, choices=Kind.choices)
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    # A refresh token is used once: the second use is a theft signal and ends the device.
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["device", "kind"], name="parley_token_device")]

"""Notification preferences, per-conversation mutes, and the record of every step of the ladder."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationSettings(models.Model):
    """One user's choices: channels, the address that was confirmed, the language of emails."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parley_notifications",
                                verbose_name=_("user"))
    sound = models.BooleanField(_("sound"), default=True)
    browser = models.BooleanField(_("browser notifications"), default=True)
    push = models.BooleanField(_("push"), default=True)
    email = models.BooleanField(_("email"), default=True)
    # The address a signed link confirmed: mail goes to the user's address only when it is this one.
    confirmed_email = models.EmailField(_("confirmed email address"), blank=True)
    # An address asked for in the settings and not confirmed yet (the link was sent to it).
    pending_email = models.EmailField(_("address waiting for confirmation"), blank=True)
    # Set by one-click unsubscribe (List-Unsubscribe); the settings page undoes it.
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # Quiet hours in the user's time zone; no start or no end: none.
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    # A tab said it was visible (the `visibility` frame); until then, push waits.
    tab_visible_until = models.DateTimeField(_("a tab visible until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)


class Mute(models.Model):
    """A conversation muted by one participant, until a time or (until None) until they unmute."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    conversation_id = models.BigIntegerField(_("conversation"))
    until = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("mute")
        verbose_name_plural = _("mutes")
        constraints = [models.UniqueConstraint(fields=["user", "conversation_id"], name="parley_notif_mute_once")]


class Notice(models.Model):
    """One step of the ladder (live, push, email) for one user and conversation, and why it went or not.

    A live notice is written after the fact, once per (recipient, conversation) and unread
    spell (with the message that opens the email notice): whether the recipient had a socket
    open, so the message rang in a tab or an app. It is never pending.

    At most one pending notice per (user, conversation, channel): new messages join it (the
    email lists every message still unread). A worker claims it with a conditional UPDATE
    (pending -> sending) before it sends, so it goes out at most once.
    """

    class Channel(models.TextChoices):
        LIVE = "live", _("live (an open tab or app)")
        EMAIL = "email", _("email")
        PUSH = "push", _("push")

    class Kind(models.TextChoices):
        MESSAGES = "messages", _("unread messages")
        MEETUP = "meetup", _("meet-up reminder")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        CANCELLED = "cancelled", _("not sent")
        FAILED = "failed", _("failed")

    class Reason(models.TextChoices):
        NONE = "", "—"
        SENT = "sent", _("sent")
        READ = "read", _("read before it was due")
        MUTED = "muted", _("conversation muted")
        BLOCKED = "blocked", _("the sender is blocked")
        CHANNEL_OFF = "channel_off", _("channel switched off in settings")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed from email")
        NO_ADDRESS = "no_address", _("no confirmed email address")
        INACTIVE = "inactive", _("account deactivated")
        NO_DEVICE = "no_device", _("no device subscribed to push")
        VISIBLE = "visible", _("a Parley tab was visible")
        REFUSED = "refused", _("the server refused the address")
        GAVE_UP = "gave_up", _("retried too long")
        INTERRUPTED = "interrupted", _("the worker stopped while sending; not retried, so never sent twice")
        RETRYING = "retrying", _("server unreachable; retrying")
        MERGED = "merged", _("joined a later notification of the same conversation")
        QUIET = "quiet", _("quiet hours: waits until they end")
        GONE = "gone", _("the push service says the device is gone (removed)")
        PASSED = "passed", _("the meet-up time has passed")
        LEFT = "left", _("no longer in the conversation")
        REPLACED = "replaced", _("another meet-up was proposed")
        ONLINE = "online", _("a Parley tab or app was connected: delivered live")
        OFFLINE = "offline", _("no Parley tab or app was connected")
        UNKNOWN = "unknown", _("presence could not be checked (Redis unreachable)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    conversation_id = models.BigIntegerField(_("conversation"))
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    # What it is about: unread messages, or one meet-up's reminder (`ref` is the meet-up's id,
    # `detail` its time and place, from the `meetup.reminder` event).
    kind = models.CharField(_("about"), max_length=8, choices=Kind.choices, default=Kind.MESSAGES)
    ref = models.BigIntegerField(_("meet-up"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, blank=True, default="")
    first_seq = models.PositiveIntegerField(_("first message seq"))
    last_seq = models.PositiveIntegerField(_("last message seq"))
    messages = models.PositiveIntegerField(_("messages listed"), default=0)
    created_at = models.DateTimeField(_("created at"))
    due_at = models.DateTimeField(_("due at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    address = models.CharField(_("sent to"), max_length=254, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # Push: the subscriptions this notice already reached, so a retry never pushes twice.
    targets_done = models.JSONField(_("devices reached"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "conversation_id", "channel", "kind"], condition=Q(status="pending"),
                                    name="parley_notice_one_pending"),
            # Each meet-up is reminded at most once per channel, whatever hands its event on twice.
            models.UniqueConstraint(fields=["user", "channel", "ref"], condition=Q(kind="meetup"),
                                    name="parley_notice_reminder_once"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="parley_notice_due")]

    def __str__(self):
        return f"{self.channel} → {self.user_id} #{self.conversation_id} ({self.status})"


class PushSubscription(models.Model):
    """One browser or device subscribed to Web Push ("Enable notifications on this device")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    endpoint = models.URLField(_("push service endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(_("public key"), max_length=200)
    auth = models.CharField(_("auth secret"), max_length=100)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("last push delivered"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self):
        return f"{self.user} — {self.endpoint[:60]}"

    def info(self) -> dict:
        """What pywebpush needs."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

import uuid

from parley.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    """One buyer and one seller talking about one listing."""

    listing = models.ForeignKey(
        settings.PARLEY_LISTING_MODEL, on_delete=models.CASCADE, related_name="parley_conversations"
    )
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # No index: the inbox walks Participant's copy. Every send moves this row, and with no
    # index on a column that moves, PostgreSQL updates it in place (a HOT update) instead of
    # adding an entry to each of the table's indexes (docs/benchmarks.md, "peers").
    last_activity_at = models.DateTimeField()
    # Per-conversation message counter: every participant sees the same order.
    last_seq = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation")
        constraints = [
            models.UniqueConstraint(fields=["listing", "buyer"], name="conversation_listing_buyer"),
            models.CheckConstraint(condition=~models.Q(buyer=models.F("seller")), name="conversation_two_people"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.buyer_id}->{self.seller_id} about {self.listing_id}"

    def other_user_id(self, user_id: int) -> int:
        return self.seller_id if user_id == self.buyer_id else self.buyer_id

    def participant_ids(self) -> tuple[int, int]:
        return (self.buyer_id, self.seller_id)


class Participant(models.Model):
    """A user's side of a conversation: their read mark."""

    class Role(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        SELLER = "seller", _("Seller")

    # No index of their own: the (conversation, user) constraint and the inbox index lead with
    # these columns, and every send moves two participation rows' indexed last_activity_at, so
    # each index more is an entry more per message (docs/benchmarks.md, "peers").
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parley_participations",
                             db_index=False)
    role = models.CharField(max_length=8, choices=Role.choices)
    # The highest message seq this user has read. Reading never moves it backwards; only the
    # user's own "Mark as unread" (services.conversation_mark_unread) does.
    last_read_seq = models.BigIntegerField(default=0)
    # Privacy in this conversation only (the conversation's menu): None follows the user's
    # PrivacySetting, True/False overrides it (conversations/privacy.py).
    show_online = models.BooleanField(null=True, blank=True, default=None)
    read_receipts = models.BooleanField(null=True, blank=True, default=None)
    # Archive (this user only): the conversation's last_seq when they archived it. It stays
    # archived while no message came after (`archived_seq >= conversation.last_seq`), so a new
    # message brings it back by itself with no write on the send path. None: not archived.
    archived_seq = models.BigIntegerField(null=True, blank=True, default=None)
    # The conversation's last_activity_at, copied here so that the inbox (newest activity first)
    # walks the index below instead of sorting all of a user's conversations (docs/benchmarks.md,
    # "Search and the inbox at scale"). The send path moves both copies in its transaction with
    # one statement per batch (services/send/sql.move_activity).
    last_activity_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="participant_conversation_user")
        ]
        indexes = [models.Index(fields=["user", "-last_activity_at", "-conversation"], name="participant_inbox")]


class UnreadTotal(models.Model):
    """A user's unread messages across all their conversations: the sum of `last_seq -
    last_read_seq` over their participations, kept as it moves (services/unread.py).

    Summing on every message a user received cost a busy seller's sends about 1.2 µs per
    conversation they have, in the send transaction (docs/benchmarks.md, "What is left" (10)).
    No row means 0: a participation starts with nothing unread.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    total = models.BigIntegerField(default=0)


class PrivacySetting(models.Model):
    """A user's privacy defaults (the settings page); no row means both on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parley_privacy")
    show_online = models.BooleanField(default=True)
    read_receipts = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("privacy setting")

    def __str__(self):
        return f"privacy of {self.user_id}: online={self.show_online} receipts={self.read_receipts}"


class Message(models.Model):
    # No index of their own: the unique constraints below lead with each of these columns,
    # so a separate index would only be one more B-tree to write on every send
    # (docs/benchmarks.md, scenario b).
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    seq = models.BigIntegerField()
    body = models.TextField()
    # Chosen by the client; a retry with the same id returns the original message.
    client_msg_id = models.UUIDField(default=uuid.uuid4)
    created_at = models.DateTimeField(auto_now_add=True)
    # Short codes other apps attach on the send path, comma-separated (policy.register_flagger):
    # parley.safety's risk detection puts what it found here ("phone,off_platform").
    flags = models.CharField(max_length=200, blank=True, default="")
    # Set when a moderator hides the message: no one but the admin reads its body after that.
    hidden_at = models.DateTimeField(null=True, blank=True)
    # Edits by the sender (services/edits.py): `revision` counts them, the replaced texts are
    # MessageVersion rows. A deleted message keeps its body for moderators until the purge.
    revision = models.PositiveIntegerField(default=0)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The message this one quotes (Reply), always of the same conversation, so both are deleted
    # together (SET_NULL only keeps that delete from depending on its order). The index, which
    # that delete looks replies up by, is partial: a plain send writes no extra B-tree entry.
    reply_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 db_index=False)
    # Files sent with the message (photos, PDFs, a voice message), as the JSON list of their
    # wire dicts, written once on send by the attachments seam (policy.register_attachments):
    # every reader (history, inbox, events, sync) gets them with no extra query. "" for none.
    attachments = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("message")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_conversation_seq"),
            models.UniqueConstraint(fields=["sender", "client_msg_id"], name="message_sender_client_msg_id"),
        ]
        indexes = [
            models.Index(fields=["reply_to"], condition=models.Q(reply_to__isnull=False), name="message_reply_to"),
        ]

    def __str__(self):
        return f"#{self.pk} in {self.conversation_id} seq {self.seq}"


class MessageVersion(models.Model):
    """A text a message had before an edit: for moderators (the admin), never for users."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="versions")
    revision = models.PositiveIntegerField()
    body = models.TextField()
    # When this text was replaced.
    replaced_at = models.DateTimeField()

    class Meta:
        verbose_name = _("earlier version")
        constraints = [models.UniqueConstraint(fields=["message", "revision"], name="message_version_once")]

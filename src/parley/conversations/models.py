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
    last_activity_at = models.DateTimeField(db_index=True)
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

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parley_participations")
    role = models.CharField(max_length=8, choices=Role.choices)
    # The highest message seq this user has read; it never moves backwards.
    last_read_seq = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="participant_conversation_user")
        ]
        indexes = [models.Index(fields=["user", "conversation"])]


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

    class Meta:
        verbose_name = _("message")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_conversation_seq"),
            models.UniqueConstraint(fields=["sender", "client_msg_id"], name="message_sender_client_msg_id"),
        ]

    def __str__(self):
        return f"#{self.pk} in {self.conversation_id} seq {self.seq}"

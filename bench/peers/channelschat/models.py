from django.conf import settings
from django.db import models


class Conversation(models.Model):
    """Parley's conversation rows, read as they are (the bench data): who may write to whom."""

    buyer_id = models.BigIntegerField()
    seller_id = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "parley_conversations_conversation"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.DO_NOTHING, db_constraint=False)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    body = models.TextField()
    client_msg_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "peer_channels_message"
        constraints = [models.UniqueConstraint(fields=["sender", "client_msg_id"], name="peer_channels_msg_once")]

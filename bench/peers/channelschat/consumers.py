"""The tutorial's consumer shape: join a group, save with database_sync_to_async, group_send."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from .models import Conversation, Message


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close()
            return
        self.user_id = user.id
        self.group = f"user_{user.id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data=json.dumps({"type": "ready", "user_id": user.id}))

    async def disconnect(self, close_code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        data = json.loads(text_data)
        body = str(data.get("body", "")).strip()
        cmid = str(data.get("client_msg_id", ""))
        if not body or len(body) > 5000 or not cmid:
            await self.send(text_data=json.dumps({"type": "error", "code": "invalid", "client_msg_id": cmid}))
            return
        saved = await self.save(data.get("conversation_id"), body, cmid)
        if saved is None:
            await self.send(text_data=json.dumps({"type": "error", "code": "not_found", "client_msg_id": cmid}))
            return
        message, recipient = saved
        await self.channel_layer.group_send(f"user_{recipient}", {"type": "chat.message", "message": message})
        await self.send(text_data=json.dumps({"type": "ack", "client_msg_id": cmid, "id": message["id"]}))

    async def chat_message(self, event):
        await self.send(text_data=json.dumps({"type": "event", "event": "message.created",
                                              "data": {"message": event["message"]}}))

    @database_sync_to_async
    def save(self, conversation_id, body, cmid):
        conv = Conversation.objects.filter(pk=conversation_id).first()
        if conv is None or self.user_id not in (conv.buyer_id, conv.seller_id):
            return None
        msg, _ = Message.objects.get_or_create(sender_id=self.user_id, client_msg_id=cmid,
                                               defaults={"conversation_id": conv.pk, "body": body})
        recipient = conv.seller_id if conv.buyer_id == self.user_id else conv.buyer_id
        return {"id": msg.pk, "conversation_id": conv.pk, "sender_id": self.user_id, "body": msg.body,
                "client_msg_id": cmid, "created_at": msg.created_at.isoformat()}, recipient

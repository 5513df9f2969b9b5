from django.contrib import admin

from .models import Conversation, Message, Participant


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    readonly_fields = ("user", "role", "last_read_seq")
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("id", "listing", "buyer", "seller", "last_seq", "last_activity_at")
    search_fields = ("buyer__username", "seller__username")
    raw_id_fields = ("listing", "buyer", "seller")
    readonly_fields = ("last_seq", "last_activity_at", "created_at")
    inlines = [ParticipantInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "conversation", "sender", "seq", "created_at")
    search_fields = ("body", "sender__username")
    raw_id_fields = ("conversation", "sender")
    readonly_fields = ("seq", "client_msg_id", "created_at")

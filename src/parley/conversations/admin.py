from django.contrib import admin

from .models import Conversation, Message, MessageVersion, Participant


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    readonly_fields = ("user", "role", "last_read_seq", "last_activity_at")
    can_delete = False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("id", "listing", "buyer", "seller", "last_seq", "last_activity_at")
    search_fields = ("buyer__username", "seller__username")
    raw_id_fields = ("listing", "buyer", "seller")
    readonly_fields = ("last_seq", "last_activity_at", "created_at")
    inlines = [ParticipantInline]


class MessageVersionInline(admin.TabularInline):
    """The texts a message had before its sender edited it: for moderators only."""

    model = MessageVersion
    extra = 0
    fields = readonly_fields = ("revision", "body", "replaced_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: a message's text is its sender's words, and hiding one is a service
    (message_hide, from the moderation queue) that tells both participants."""

    list_display = ("id", "conversation", "sender", "seq", "created_at", "revision", "deleted_at", "hidden_at")
    list_filter = ("hidden_at", "deleted_at")
    search_fields = ("body", "sender__username")
    raw_id_fields = ("conversation", "sender")
    readonly_fields = ("conversation", "sender", "seq", "body", "client_msg_id", "created_at", "flags", "hidden_at",
                       "revision", "edited_at", "deleted_at")
    inlines = [MessageVersionInline]

    def has_add_permission(self, request):
        return False  # messages are sent by their senders, through message_send

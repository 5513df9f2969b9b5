from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Mute, Notice, NotificationSettings, PushSubscription


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Every step of the ladder, and why it went out or not: read-only."""

    list_display = ("created_at", "user", "conversation_id", "channel", "kind", "status", "reason", "messages",
                    "attempts", "due_at", "done_at", "address")
    list_filter = ("channel", "kind", "status", "reason")
    search_fields = ("user__username", "address", "last_error")
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "confirmed_email", "pending_email", "sound", "browser", "push", "email", "unsubscribed_at",
                    "language", "quiet_start", "quiet_end", "time_zone")
    search_fields = ("user__username", "confirmed_email", "pending_email")
    raw_id_fields = ("user",)


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ("user", "conversation_id", "until")
    raw_id_fields = ("user",)


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    """Devices subscribed to Web Push; a failing one shows its failures and last error here."""

    list_display = ("user", "short_endpoint", "created_at", "last_success_at", "failures", "last_error")
    list_filter = ("failures",)
    search_fields = ("user__username", "endpoint", "last_error")
    raw_id_fields = ("user",)
    readonly_fields = ("endpoint", "p256dh", "auth", "user_agent", "created_at", "last_success_at", "failures",
                       "last_error")

    @admin.display(description=_("push service endpoint"))
    def short_endpoint(self, obj):
        return obj.endpoint if len(obj.endpoint) <= 60 else obj.endpoint[:59] + "\u2026"

    def has_add_permission(self, request):
        return False

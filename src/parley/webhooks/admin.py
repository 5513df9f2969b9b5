from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .addresses import UnsafeURL, check_url
from .events import event_type_choices
from .models import Delivery, Endpoint


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("Event types"), choices=event_type_choices, widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Endpoint
        fields = ("url", "description", "event_types", "active")

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except UnsafeURL as e:
            raise forms.ValidationError(str(e), code="unsafe_url") from None
        return url


def _queue(delivery_ids) -> None:
    from .tasks import deliver

    for pk in delivery_ids:
        deliver.enqueue(str(pk))


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("url", "description", "subscribed", "active", "failed_today", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = ("secret", "created_at")
    actions = ["send_test_event"]

    def get_queryset(self, request):
        since = timezone.now() - timedelta(hours=24)
        failed = Q(deliveries__status=Delivery.Status.FAILED, deliveries__created_at__gte=since)
        return super().get_queryset(request).annotate(failed_today=Count("deliveries", filter=failed))

    def get_readonly_fields(self, request, obj=None):
        # The secret is made by the server when the endpoint is saved, then shown here.
        return ("secret", "created_at") if obj else ()

    @admin.display(description=_("Event types"))
    def subscribed(self, obj):
        return ", ".join(obj.event_types)

    @admin.display(description=_("Failed deliveries (24 h)"), ordering="failed_today")
    def failed_today(self, obj):
        return obj.failed_today

    @admin.action(description=_("Send a test event"))
    def send_test_event(self, request, queryset):
        ids = [services.delivery_send_test(endpoint).pk for endpoint in queryset]
        _queue(ids)
        self.message_user(request, _("Test events queued: %(count)d.") % {"count": len(ids)}, messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event_type", "endpoint", "status", "attempts", "last_status_code",
                    "next_attempt_at", "delivered_at")
    list_filter = ("status", "event_type", "endpoint")
    list_select_related = ("endpoint",)
    readonly_fields = ("id", "endpoint", "event_type", "event_key", "payload", "status", "attempts",
                       "next_attempt_at", "last_status_code", "last_error", "created_at", "delivered_at")
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry now"))
    def retry_now(self, request, queryset):
        ids = list(queryset.exclude(status=Delivery.Status.SUCCEEDED).values_list("pk", flat=True))
        count = services.delivery_retry_now(ids)
        _queue(ids)
        self.message_user(request, _("Deliveries queued: %(count)d.") % {"count": count}, messages.SUCCESS)

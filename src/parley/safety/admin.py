"""Moderation in the Django admin: the queue of reports, the reported message in its
context, and the actions (hide, warn, suspend, close), each one service. Nothing a user
wrote is rendered as HTML: format_html escapes it."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.conversations.selectors import messages_around
from parley.core.errors import AppError, Invalid

from . import services
from .models import ModerationAction, Report

CONTEXT_MESSAGES = 5


class ActionInline(admin.TabularInline):
    model = ModerationAction
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "action", "moderator", "target_user", "note")
    verbose_name_plural = gettext_lazy("What was done")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "status", "reason", "reporter", "reported_user", "conversation", "message")
    list_display_links = ("id", "created_at")
    list_filter = ("status", "reason")
    # The queue: open before closed ("open" > "closed"), then oldest first.
    ordering = ("-status", "created_at", "id")
    search_fields = ("reporter__username", "reported_user__username", "note")
    list_select_related = ("reporter", "reported_user", "conversation", "message")
    readonly_fields = (
        "status", "reason", "note", "reporter", "reported_user", "conversation", "message", "created_at",
        "message_context", "edit_history", "resolution", "closed_at", "closed_by",
    )
    fieldsets = (
        (None, {"fields": ("status", "reason", "note", "reporter", "reported_user", "conversation", "created_at")}),
        (gettext_lazy("Reported message in its conversation"), {"fields": ("message", "message_context", "edit_history")}),
        (gettext_lazy("Resolution"), {"fields": ("resolution", "closed_at", "closed_by")}),
    )
    inlines = [ActionInline]
    actions = ["hide_reported_messages", "suspend_reported_users"]
    change_form_template = "admin/parley_safety/report/change_form.html"

    def has_add_permission(self, request):
        return False  # reports come from users, through report_create

    def has_change_permission(self, request, obj=None):
        return False  # changes are the moderation actions below, never a form

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("Context"))
    def message_context(self, report: Report):
        """The messages around the reported one (or the conversation's last ones), read-only."""
        if report.message_id:
            around = messages_around(message=report.message, count=CONTEXT_MESSAGES)
        else:
            around = _last_messages(report)
        if not around:
            return _("No messages.")
        rows = format_html_join(
            "", '<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td class="moderation-body">{}{}</td></tr>',
            (
                (
                    " ".join(c for c in ("reported" if m.pk == report.message_id else "", "hidden" if m.hidden_at else "") if c),
                    m.seq, m.sender.get_username(), m.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    format_html('<strong class="moderation-hidden">[{}]</strong> ', _("hidden by moderation")) if m.hidden_at
                    else format_html('<strong class="moderation-hidden">[{}]</strong> ', _("deleted by its sender")) if m.deleted_at
                    else format_html('<em>[{}]</em> ', _("edited")) if m.revision else "",
                    m.body,
                )
                for m in around
            ),
        )
        head = format_html(
            "<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
            _("Seq"), _("Sender"), _("Time (UTC)"), _("Message"),
        )
        return format_html('<table class="moderation-context">{}<tbody>{}</tbody></table>', head, rows)

    @admin.display(description=gettext_lazy("Edit history"))
    def edit_history(self, report: Report):
        """The texts the reported message had before its sender edited it, oldest first."""
        if not report.message_id:
            return "-"
        versions = list(report.message.versions.order_by("revision"))
        if not versions:
            return _("Never edited.")
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td class=\"moderation-body\">{}</td></tr>",
            ((v.revision, v.replaced_at.strftime("%Y-%m-%d %H:%M:%S"), v.body) for v in versions),
        )
        head = format_html("<thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
                           _("Revision"), _("Replaced at (UTC)"), _("Text"))
        return format_html('<table class="moderation-context">{}<tbody>{}</tbody></table>', head, rows)

    def has_moderate_permission(self, request) -> bool:
        return self._may_moderate(request)

    @admin.action(description=gettext_lazy("Hide the reported messages"), permissions=["moderate"])
    def hide_reported_messages(self, request, queryset):
        hidden = sum(
            services.moderation_hide_message(moderator=request.user, message=report.message, report=report)
            for report in queryset.select_related("message").filter(message__isnull=False)
        )
        self.message_user(request, _("%(count)d messages hidden.") % {"count": hidden}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Suspend the reported users"), permissions=["moderate"])
    def suspend_reported_users(self, request, queryset):
        done = set()
        for report in queryset.select_related("reported_user"):
            if report.reported_user_id not in done and report.reported_user_id != request.user.pk:
                done.add(report.reported_user_id)
                services.moderation_suspend(moderator=request.user, user=report.reported_user, report=report)
        self.message_user(request, _("%(count)d users suspended.") % {"count": len(done)}, messages.SUCCESS)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:report_id>/hide/", wrap(self.hide_view), name="parley_safety_report_hide"),
            path("<int:report_id>/warn/", wrap(self.warn_view), name="parley_safety_report_warn"),
            path("<int:report_id>/suspend/", wrap(self.suspend_view), name="parley_safety_report_suspend"),
            path("<int:report_id>/close/", wrap(self.close_view), name="parley_safety_report_close"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        extra = {
            **(extra_context or {}),
            "report": report,
            "may_moderate": self._may_moderate(request),
            "warning_default": _("A moderator reviewed a report about your messages. Please keep to the community rules: "
                                 "no scams, harassment, spam or prohibited items."),
        }
        return super().change_view(request, object_id, form_url, extra)

    def _may_moderate(self, request) -> bool:
        return request.user.has_perm("parley_safety.add_moderationaction")

    def _act(self, request, report_id, act):
        """Run one moderation service for the report; back to its page with what happened."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self._may_moderate(request):
            raise PermissionDenied
        report = get_object_or_404(Report.objects.select_related("message", "reported_user"), pk=report_id)
        try:
            text = act(report)
        except AppError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, text)
        return redirect(reverse("admin:parley_safety_report_change", args=[report.pk]))

    def hide_view(self, request, report_id):
        def act(report):
            if report.message is None:
                raise Invalid(_("This report is about a person, not a message: there is nothing to hide."))
            hidden = services.moderation_hide_message(moderator=request.user, message=report.message, report=report)
            return _("The message is hidden from both participants.") if hidden else _("The message was already hidden.")
        return self._act(request, report_id, act)

    def warn_view(self, request, report_id):
        def act(report):
            services.moderation_warn(moderator=request.user, user=report.reported_user, text=request.POST.get("text", ""), report=report)
            return _("%(user)s was warned.") % {"user": report.reported_user.get_username()}
        return self._act(request, report_id, act)

    def suspend_view(self, request, report_id):
        def act(report):
            done = services.moderation_suspend(moderator=request.user, user=report.reported_user, report=report)
            text = _("%(user)s is suspended: their sessions and open connections are closed.") if done else _("%(user)s was already suspended.")
            return text % {"user": report.reported_user.get_username()}
        return self._act(request, report_id, act)

    def close_view(self, request, report_id):
        def act(report):
            closed = services.report_close(moderator=request.user, report=report, resolution=request.POST.get("resolution", ""))
            return _("The report is closed.") if closed else _("The report was already closed.")
        return self._act(request, report_id, act)


def _last_messages(report: Report) -> list:
    from parley.conversations.selectors import messages_page

    page, _more = messages_page(conversation=report.conversation, limit=CONTEXT_MESSAGES * 2)
    return page


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The record of what moderators did: read-only, kept for good."""

    list_display = ("created_at", "action", "moderator", "target_user", "target_message", "report", "note")
    list_filter = ("action",)
    search_fields = ("moderator__username", "target_user__username", "note")
    list_select_related = ("moderator", "target_user", "target_message", "report")
    readonly_fields = ("created_at", "action", "moderator", "target_user", "target_message", "report", "note")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

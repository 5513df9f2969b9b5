"""The settings page's "Quick replies" section and its actions: add, edit, delete, move."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .models import MAX_CHARS, MAX_PER_USER


def settings_section(request) -> dict:
    replies = services.quick_replies_for(user=request.user)
    return {"quick_replies": replies, "quick_reply_max_chars": MAX_CHARS, "quick_reply_limit": MAX_PER_USER,
            "quick_replies_full": len(replies) >= MAX_PER_USER}


def _back(request):
    request.parley_back = "/settings/#settings-quick-replies"  # where an error is shown (AppErrorMiddleware)


@login_required
@require_POST
def add(request):
    _back(request)
    services.quick_reply_create(user=request.user, text=request.POST.get("text", ""))
    messages.success(request, _("Quick reply added."))
    return redirect("settings")


@login_required
@require_POST
def edit(request, reply_id: int):
    _back(request)
    reply = services.quick_reply_for(request.user, reply_id)
    services.quick_reply_edit(reply=reply, text=request.POST.get("text", ""))
    messages.success(request, _("Quick reply saved."))
    return redirect("settings")


@login_required
@require_POST
def delete(request, reply_id: int):
    _back(request)
    reply = services.quick_reply_for(request.user, reply_id)
    services.quick_reply_delete(reply=reply)
    messages.success(request, _("Quick reply deleted."))
    return redirect("settings")


@login_required
@require_POST
def move(request, reply_id: int):
    _back(request)
    reply = services.quick_reply_for(request.user, reply_id)
    services.quick_reply_move(reply=reply, direction=request.POST.get("direction", ""))
    messages.success(request, _("Quick reply moved."))
    return redirect("settings")

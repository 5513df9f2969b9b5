"""Pages: parse, access, one service or selector call, render."""

from parley.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from parley.stream.read import stream_cursor_for

from . import selectors, services
from .access import conversation_for, listing_for
from .listings import listing_adapter
from .policy import refusals_between
from .privacy import privacy_defaults, privacy_here, read_receipts_on
from .serializers import conversation_detail, inbox_row, message_dict, user_dict


def _cursor_first(request) -> int:
    """Read the stream cursor before the page's data, so sync replays what lands meanwhile."""
    request.parley_stream_cursor = stream_cursor_for(user=request.user)
    return request.parley_stream_cursor


# The inbox's chips, in order (conversations/_inbox_filters.html).
INBOX_FILTER_LABELS = (("all", _lazy("All")), ("unread", _lazy("Unread")), ("buying", _lazy("Buying")),
                       ("selling", _lazy("Selling")), ("archived", _lazy("Archived")))


@login_required
def inbox(request):
    cursor = _cursor_first(request)
    participations, next_before = selectors.inbox_page(user=request.user)
    rows = [inbox_row(p) for p in participations]
    counts, counts_cursor = selectors.inbox_counts_at(user=request.user)
    page = {"me": user_dict(request.user), "cursor": cursor, "conversations": rows, "next_before": next_before,
            "counts": counts, "counts_cursor": counts_cursor}
    filters = [(key, label, counts[key]) for key, label in INBOX_FILTER_LABELS]
    return render(request, "conversations/inbox.html", {"page_data": page, "conversations": rows, "inbox_filters": filters})


@login_required
def detail(request, conversation_id: int):
    cursor = _cursor_first(request)
    conversation = conversation_for(request.user, conversation_id)
    # A search result opens the page at ?around=SEQ: the first page then reaches back to a few
    # messages before it (up to AROUND_MAX), and the client loads older pages for the rest.
    messages, has_more = selectors.messages_page(conversation=conversation, limit=_first_page_size(request, conversation))
    marks = selectors.read_marks_for(conversation=conversation)
    receipts = read_receipts_on(conversation_id=conversation.pk)
    info = conversation_detail(conversation, for_user_id=request.user.pk, read_marks=marks, read_receipts=receipts)
    page = {
        "me": user_dict(request.user),
        "cursor": cursor,
        "conversation": info,
        "messages": [message_dict(m) for m in messages],
        "has_more": has_more,
        "edit_window_s": settings.PARLEY_EDIT_WINDOW,  # Edit and Delete are offered this long
        # by_me: I blocked them (the menu offers Unblock); by_them: I may not write to them.
        "blocked": refusals_between(request.user.pk, conversation.other_user_id(request.user.pk)),
    }
    return render(
        request,
        "conversations/detail.html",
        {"page_data": page, "conversation": conversation, "info": info, "listing": info["listing"], "blocked": page["blocked"],
         "privacy": privacy_here(user_id=request.user.pk, conversation_id=conversation.pk),
         "archived": selectors.archived_for(user_id=request.user.pk, conversation=conversation)},
    )


AROUND_MAX = 300
AROUND_BEFORE = 10


def _first_page_size(request, conversation) -> int | None:
    try:
        around = int(request.GET.get("around", ""))
    except ValueError:
        return None
    if not 1 <= around <= conversation.last_seq:
        return None
    return max(settings.PARLEY_PAGE_SIZE, min(conversation.last_seq - around + 1 + AROUND_BEFORE, AROUND_MAX))


@login_required
@require_POST
def start(request, listing_id: int):
    """Contact seller: open (or reuse) the conversation about this listing."""
    listing = listing_for(listing_id)
    request.parley_back = listing_adapter().url(listing)  # where an error is shown (AppErrorMiddleware)
    conversation, _created = services.conversation_start(buyer=request.user, listing=listing)
    return redirect("conversations:detail", conversation_id=conversation.pk)


# --- privacy (the settings page's section, and the conversation menu's overrides) -----------


def privacy_section(request) -> dict:
    """The settings page's "Privacy" section (parley.core.settings_page)."""
    return {"privacy": privacy_defaults(user_id=request.user.pk)}


@login_required
@require_POST
def privacy_settings(request):
    request.parley_back = "/settings/"  # where an error is shown (AppErrorMiddleware)
    services.privacy_set_defaults(
        user=request.user,
        show_online=request.POST.get("show_online") == "on",
        read_receipts=request.POST.get("read_receipts") == "on",
    )
    flash.success(request, _("Your privacy settings are saved."))
    return redirect("settings")


_CHOICES = {"default": None, "on": True, "off": False}


@login_required
@require_POST
def privacy_conversation(request, conversation_id: int):
    """The conversation menu's overrides: each of show_online, read_receipts is default, on or off."""
    conversation = conversation_for(request.user, conversation_id)
    request.parley_back = f"/messages/{conversation.pk}/"
    current = privacy_here(user_id=request.user.pk, conversation_id=conversation.pk)["override"]
    here = {}
    for key in ("show_online", "read_receipts"):
        value = request.POST.get(key)
        if value in _CHOICES:
            here[key] = _CHOICES[value]
        else:  # not sent: keep this conversation's override as it is
            here[key] = current[key]
    services.privacy_set_override(user=request.user, conversation=conversation, **here)
    flash.success(request, _("Your privacy in this conversation is saved."))
    return redirect("conversations:detail", conversation_id=conversation.pk)

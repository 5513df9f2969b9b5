"""Pages: parse, access, one service or selector call, render."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from parley.stream.read import stream_cursor_for

from . import selectors, services
from .access import conversation_for, listing_for
from .listings import listing_adapter
from .serializers import conversation_detail, inbox_row, message_dict, user_dict


def _cursor_first(request) -> int:
    """Read the stream cursor before the page's data, so sync replays what lands meanwhile."""
    request.parley_stream_cursor = stream_cursor_for(user=request.user)
    return request.parley_stream_cursor


@login_required
def inbox(request):
    cursor = _cursor_first(request)
    participations, next_before = selectors.inbox_page(user=request.user)
    rows = [inbox_row(p) for p in participations]
    page = {"me": user_dict(request.user), "cursor": cursor, "conversations": rows, "next_before": next_before}
    return render(request, "conversations/inbox.html", {"page_data": page, "conversations": rows})


@login_required
def detail(request, conversation_id: int):
    cursor = _cursor_first(request)
    conversation = conversation_for(request.user, conversation_id)
    messages, has_more = selectors.messages_page(conversation=conversation)
    marks = selectors.read_marks_for(conversation=conversation)
    info = conversation_detail(conversation, for_user_id=request.user.pk, read_marks=marks)
    page = {
        "me": user_dict(request.user),
        "cursor": cursor,
        "conversation": info,
        "messages": [message_dict(m) for m in messages],
        "has_more": has_more,
    }
    return render(
        request,
        "conversations/detail.html",
        {"page_data": page, "conversation": conversation, "info": info, "listing": info["listing"]},
    )


@login_required
@require_POST
def start(request, listing_id: int):
    """Contact seller: open (or reuse) the conversation about this listing."""
    listing = listing_for(listing_id)
    request.parley_back = listing_adapter().url(listing)  # where an error is shown (AppErrorMiddleware)
    conversation, _created = services.conversation_start(buyer=request.user, listing=listing)
    return redirect("conversations:detail", conversation_id=conversation.pk)

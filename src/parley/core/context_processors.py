from parley.conf import settings


def parley(request):
    """Expose what every page needs: demo mode and the user's unread total."""
    user = getattr(request, "user", None)
    unread_total = 0
    stream_cursor = 0
    if user is not None and user.is_authenticated:
        from parley.conversations.selectors import unread_total_for
        from parley.realtime.selectors import stream_cursor_for

        # The cursor is read before anything else on the page, so an event that lands
        # while the page renders is replayed by the client's sync rather than skipped.
        stream_cursor = getattr(request, "parley_stream_cursor", None)
        if stream_cursor is None:
            stream_cursor = stream_cursor_for(user=user)
        unread_total = unread_total_for(user=user)
    return {
        "parley_demo": settings.PARLEY_DEMO,
        "unread_total": unread_total,
        "stream_cursor": stream_cursor,
    }

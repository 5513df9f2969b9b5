from parley.conf import settings
from django.utils.translation import gettext_lazy as _

from .selectors import unread_total_for

# Strings the JavaScript client shows, delivered as JSON (json_script) so they translate
# with the rest of the site. Placeholders use {name} and are filled in by the client.
JS_STRINGS = {
    "connected": _("Connected"),
    "connecting": _("Connecting…"),
    "reconnecting": _("Reconnecting…"),
    "offline": _("Offline"),
    "fallback": _("Connected (compatibility mode)"),
    "signed_out": _("Signed out"),
    "sending": _("Sending…"),
    "queued": _("Waiting for connection…"),
    "sent": _("Sent"),
    "seen": _("Seen"),
    "failed": _("Not sent"),
    "retry": _("Retry"),
    "you": _("You"),
    "you_prefix": _("You: {text}"),
    "new_messages": _("New messages"),
    "loading_older": _("Loading earlier messages…"),
    "load_failed": _("Could not load earlier messages."),
    "start_of_conversation": _("This is the start of your conversation."),
    "no_messages_yet": _("No messages yet"),
    "unread_count": _("{count} unread"),
    "buying": _("Buying"),
    "selling": _("Selling"),
    "empty_body": _("Write a message before sending."),
    "too_long": _("The message is {length} characters long; the limit is {limit}."),
    "rate_limited": _("You are sending messages too quickly. Try again in {seconds} s."),
    "timeout": _("The server did not answer in time."),
    "error_generic": _("The message could not be sent."),
    "just_now": _("just now"),
    "today": _("Today"),
    "yesterday": _("Yesterday"),
    "show_more": _("Show more"),
    "show_less": _("Show less"),
}


def parley(request):
    """Expose what every page needs: demo mode and the user's unread total."""
    user = getattr(request, "user", None)
    unread_total = 0
    stream_cursor = 0
    if user is not None and user.is_authenticated:
        from parley.stream.read import stream_cursor_for

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
        "js_strings": JS_STRINGS,
        "message_max_chars": settings.PARLEY_MESSAGE_MAX_CHARS,
    }

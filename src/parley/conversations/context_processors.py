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
    "removed_moderation": _("Message removed by moderation"),
    "removed_sender": _("Message deleted"),
    "replying_to": _("Replying to {name}"),
    "quote_label": _("Replied to {name}: {text}. Show the message"),
    "original_gone": _("The original message could not be found."),
    "marked_unread": _("Marked as unread"),
    "unread_failed": _("Could not mark the conversation as unread."),
    "warned_title": _("A moderator has warned you"),
    "close": _("Close"),
    "typing_named": _("{name} is typing…"),
    "typing": _("typing…"),
    "online": _("Online"),
    "active_just_now": _("Active just now"),
    "active_ago": _("Active {when}"),
    "active_on": _("Active on {date}"),
    # Safety tips (parley.safety.risk): one sentence per code found in a message; tip_other for
    # codes a host's own detectors add.
    "tip_phone": _("This message contains a phone number. Scammers often ask to continue off Parley, "
                   "where we can't help if something goes wrong."),
    "tip_email": _("This message contains an email address. Scammers often ask to continue by email, "
                   "where we can't help if something goes wrong."),
    "tip_iban": _("This message contains a bank account number (IBAN). Money sent by bank transfer "
                  "before you have seen the item is hard to get back."),
    "tip_card": _("This message contains what looks like a card number. Never share card details in a "
                  "message: anyone who reads them can use them."),
    "tip_external_link": _("This message links to a site outside Parley. Fake payment and delivery pages "
                           "are a common way to steal card details."),
    "tip_off_platform": _("This message suggests paying or talking outside Parley. Payments made off "
                          "Parley are hard to get back if something goes wrong."),
    "tip_other": _("This message contains something often seen in scams. Take care before you pay or "
                   "share personal details."),
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

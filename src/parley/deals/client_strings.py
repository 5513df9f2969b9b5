"""The strings deals.js shows, translated on the server (the page sends them as JSON)."""

from django.utils.translation import gettext as _


def client_strings() -> dict:
    return {
        "status_available": _("Available"),
        "status_reserved": _("Reserved"),
        "status_sold": _("Sold"),
        "line_status_reserved": _("{name} marked this item as reserved"),
        "line_status_sold": _("{name} marked this item as sold"),
        "line_status_available": _("{name} marked this item as available again"),
        "line_price_down": _("Price dropped from {old} to {new}"),
        "line_price_up": _("Price raised from {old} to {new}"),
        "offer_title_buyer": _("{name} offered {amount}"),
        "offer_title_you": _("You offered {amount}"),
        "offer_countered": _("Counter-offer: {amount}"),
        "offer_first": _("First offer: {amount}"),
        "offer_waiting_you": _("Waiting for your answer"),
        "offer_waiting_other": _("Waiting for {name}"),
        "offer_accepted": _("Accepted"),
        "offer_declined": _("Declined"),
        "offer_withdrawn": _("Withdrawn"),
        "offer_expired": _("Expired"),
        "offer_declined_reserved": _("Declined automatically: the item was reserved for another buyer."),
        "offer_declined_sold": _("Declined automatically: the item was sold."),
        "offer_expires": _("Expires {when}"),
        "offer_pending": _("Pending"),
        "meetup_title": _("Meet-up"),
        "meetup_proposed_by": _("Proposed by {name}"),
        "meetup_accepted": _("Accepted"),
        "meetup_replaced": _("Replaced by a new proposal"),
        "meetup_here": _("{name} is here"),
        "meetup_you_here": _("You are here"),
        "meetup_reminder": _("Reminder: meet-up at {place} in less than an hour"),
        "error_generic": _("That did not work. Try again."),
        "you": _("You"),
    }

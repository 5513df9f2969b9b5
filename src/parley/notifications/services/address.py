"""The email address: a new one is confirmed by a signed link before it receives anything."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parley.core.errors import Invalid
from parley.core.ratelimit import rate_limit_many

from ..models import NotificationSettings
from . import clock
from .preferences import settings_for


CONFIRM_RATE = "5/3600"  # confirmation links per user per hour
_TOO_MANY_LINKS = _("You asked for several links already. Try again in %(seconds)d s.")


class BadLink(Invalid):
    code = "bad_link"
    message = _("This link is not valid any more. Ask for a new one in your settings.")


def normalise(address: str) -> str:
    address = (address or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise Invalid(_("Enter a valid email address, such as name@example.com."), field="email") from None
    local, _at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def email_change_request(*, user, address: str) -> NotificationSettings:
    """Ask to use `address`: it becomes pending, and a confirmation link is mailed to it after commit."""
    address = normalise(address)
    row = settings_for(user_id=user.pk)
    if address == row.confirmed_email and address == user.email:
        row.pending_email = ""
        row.save(update_fields=["pending_email"])
        return row
    # Each link is an email to an address someone typed: a few per hour, not a mail cannon.
    (refused,) = rate_limit_many([f"confirm-email:{user.pk}"], rate=CONFIRM_RATE, message=_TOO_MANY_LINKS)
    if refused is not None:
        raise refused
    row.pending_email = address
    row.save(update_fields=["pending_email"])

    from ..tasks import send_confirmation

    transaction.on_commit(lambda: send_confirmation.enqueue(user.pk, address))
    return row


def email_confirm(*, user_id: int, address: str) -> NotificationSettings:
    """Make `address` the user's confirmed address (the link's token was checked by the caller)."""
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None:
            raise BadLink()
        row = settings_for(user_id=user_id)
        if user.email != address:
            user.email = address
            user.save(update_fields=["email"])
        row.confirmed_email = address
        if row.pending_email == address:
            row.pending_email = ""
        row.save(update_fields=["confirmed_email", "pending_email"])
    return row


def email_mark_confirmed(*, user_id: int, address: str) -> None:
    """Trust an address without a link (the demo's @example.com accounts)."""
    NotificationSettings.objects.update_or_create(user_id=user_id, defaults={"confirmed_email": address})


def email_unsubscribe(*, user_id: int) -> bool:
    """One-click unsubscribe: no more notification emails until the settings switch them on."""
    row = settings_for(user_id=user_id)
    if row.unsubscribed_at is None:
        row.unsubscribed_at = clock()
        row.email = False
        row.save(update_fields=["unsubscribed_at", "email"])
    return True


def address_for(user, row: NotificationSettings) -> str | None:
    """The address notifications may go to: the user's, if it is the confirmed one."""
    if user.email and row.confirmed_email and user.email.lower() == row.confirmed_email.lower():
        return user.email
    return None

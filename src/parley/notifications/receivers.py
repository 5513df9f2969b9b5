"""Reactions to accounts: remember the language of a log-in, confirm a sign-up's address."""

from django.utils import translation

from .services.address import email_change_request
from .services.preferences import language_remember


def remember_language(sender, request, user, **kwargs) -> None:
    """Emails go out in the language the user last logged in with."""
    if request is not None:
        language_remember(user_id=user.pk, language=translation.get_language_from_request(request))


def signed_up(sender, user, **kwargs) -> None:
    """The address given at sign-up gets a confirmation link before it receives anything."""
    if user.email:
        email_change_request(user=user, address=user.email)

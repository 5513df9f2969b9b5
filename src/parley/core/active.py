"""Deactivated accounts can do nothing: the one check every write and read path asks.

A socket keeps the user it authenticated at its handshake, so `user.is_active` on that object
can be stale: these read the flag from the database. Deactivation also closes the user's
sockets (parley.stream.receivers); this check closes the race with frames already in flight.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .errors import Forbidden


class AccountInactive(Forbidden):
    message = _("This account is deactivated, so it can no longer send or read messages. Ask the site's staff to reactivate it.")


def inactive_ids(user_ids) -> set[int]:
    """The ids among `user_ids` whose accounts are deactivated (or gone), with one query."""
    wanted = set(user_ids)
    if not wanted:
        return set()
    active = get_user_model()._default_manager.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True)
    return wanted - set(active)


def require_active(user) -> None:
    """Raise AccountInactive unless `user`'s account is active in the database now."""
    if inactive_ids([user.pk]):
        raise AccountInactive()

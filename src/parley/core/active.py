"""Deactivated accounts can do nothing: the one check every write and read path asks.

A socket keeps the user it authenticated at its handshake, so `user.is_active` on that object
can be stale: these read the flag from the database. Deactivation also closes the user's
sockets (parley.stream.receivers); this check closes the race with frames already in flight.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .errors import Forbidden
from .sql import Check, quote, run_checks, select_where_in


class AccountInactive(Forbidden):
    message = _("This account is deactivated, so it can no longer send or read messages. Ask the site's staff to reactivate it.")


def inactive_ids(user_ids) -> set[int]:
    """The ids among `user_ids` whose accounts are deactivated (or gone), with one query."""
    return run_checks([inactive_check(user_ids)])[0]


def inactive_check(user_ids) -> Check:
    """inactive_ids as a Check, to ask with others in one round trip (the send batch)."""
    wanted = set(user_ids)
    if not wanted:
        return Check(None, (), lambda rows: set())
    model = get_user_model()
    pk = model._meta.pk.column
    sql, params = select_where_in(model._meta.db_table, [pk], {pk: wanted},
                                  also=f"{quote(model._meta.get_field('is_active').column)} = %s", params=[True])
    return Check(sql, params, lambda rows: wanted - {row[0] for row in rows})


def require_active(user) -> None:
    """Raise AccountInactive unless `user`'s account is active in the database now."""
    if inactive_ids([user.pk]):
        raise AccountInactive()

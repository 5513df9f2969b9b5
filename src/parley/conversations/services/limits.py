"""Which rate applies to whom: accounts in their first hours get a stricter tier (issue 16, item 5).

Everything is read from the user object the caller already holds (`date_joined`), so the send
path gains no query; the counters are the shared cache's (parley.core.ratelimit).
"""

from datetime import datetime, timedelta

from django.utils import timezone

from parley.conf import settings


def is_new_account(user, now: datetime | None = None) -> bool:
    """True while the account is younger than PARLEY_NEW_ACCOUNT_HOURS (0 turns the tier off)."""
    hours = settings.PARLEY_NEW_ACCOUNT_HOURS
    joined = getattr(user, "date_joined", None)
    if not hours or joined is None:
        return False
    return joined > (now or timezone.now()) - timedelta(hours=hours)


def send_rate(user, now: datetime | None = None) -> str:
    if is_new_account(user, now):
        return settings.PARLEY_NEW_ACCOUNT_SEND_RATE
    return settings.PARLEY_SEND_RATE


def start_rate(user, now: datetime | None = None) -> str | None:
    """The rate of new conversations for this user; None means unlimited."""
    if is_new_account(user, now):
        return settings.PARLEY_NEW_ACCOUNT_START_RATE
    return settings.PARLEY_START_RATE

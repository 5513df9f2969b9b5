"""Parley's settings: Django's settings, with a default for every setting the app reads.

App code imports `settings` from here instead of django.conf, so a host project only has
to set PARLEY_LISTING_MODEL (and PARLEY_LISTING_ADAPTER when its field names differ).
Lookups are lazy, so override_settings works as usual. docs/reusable-app.md lists them.
"""

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured


def _default_broker():
    return "redis" if getattr(django_settings, "REDIS_URL", "") else "memory"


# A callable default is called when the setting is read, so it can depend on other settings.
DEFAULTS = {
    "PARLEY_LISTING_ADAPTER": "parley.conversations.listings.AttributeListingAdapter",
    "PARLEY_DEMO": False,
    "PARLEY_BROKER": _default_broker,
    "REDIS_URL": "",
    "PARLEY_REDIS_PREFIX": "parley",
    "PARLEY_WS_MAX_FRAME": 16 * 1024,
    "PARLEY_MESSAGE_MAX_CHARS": 5000,
    "PARLEY_SEND_RATE": "30/10",
    # New conversations a user may start: N per S seconds (None: unlimited).
    "PARLEY_START_RATE": "60/3600",
    # Accounts younger than this many hours (date_joined) get the stricter rates below (0: off).
    "PARLEY_NEW_ACCOUNT_HOURS": 24,
    "PARLEY_NEW_ACCOUNT_SEND_RATE": "10/60",
    "PARLEY_NEW_ACCOUNT_START_RATE": "5/3600",
    # Failed log-ins before log-in is refused, per account and per client address, over
    # PARLEY_LOGIN_WINDOW seconds (parley.accounts.throttle).
    "PARLEY_LOGIN_FAILURES_PER_ACCOUNT": 5,
    "PARLEY_LOGIN_FAILURES_PER_ADDRESS": 20,
    "PARLEY_LOGIN_WINDOW": 15 * 60,
    # Live-only signals (typing, presence) a user may emit: N per S seconds.
    "PARLEY_SIGNAL_RATE": "20/10",
    # `read` and `sync` frames a user may send: N per S seconds (per user, all sockets and processes).
    "PARLEY_READ_RATE": "120/10",
    "PARLEY_SYNC_RATE": "60/10",
    # Open sockets per user in one process; the one past it is closed with 4429.
    "PARLEY_WS_MAX_PER_USER": 20,
    # Seconds a client has to send a request's headers (slowloris), for `parley serve`.
    "PARLEY_HEADER_TIMEOUT": 10,
    # Writer threads for the send path: None = 1 (measured best on SQLite and PostgreSQL).
    "PARLEY_SEND_WRITERS": None,
    # sys.setswitchinterval for a server process (None: leave Python's 5 ms). See realtime/asgi.py.
    "PARLEY_GIL_SWITCH_INTERVAL": 0.001,
    # gc.set_threshold for a server process, after gc.freeze() (None: leave Python's). See realtime/asgi.py.
    "PARLEY_GC_THRESHOLDS": (50_000, 20, 100),
    "PARLEY_PAGE_SIZE": 30,
    "PARLEY_STREAM_RETENTION_DAYS": 14,
}


class ParleySettings:
    """Read a setting from Django's settings, falling back to Parley's default."""

    def __getattr__(self, name):
        try:
            return getattr(django_settings, name)
        except AttributeError:
            pass
        if name in DEFAULTS:
            default = DEFAULTS[name]
            return default() if callable(default) else default
        if name == "PARLEY_LISTING_MODEL":
            raise ImproperlyConfigured(
                "Set PARLEY_LISTING_MODEL to your listing model as 'app_label.ModelName' "
                "(like AUTH_USER_MODEL) before installing parley.conversations."
            )
        raise AttributeError(f"Setting {name} is not defined.")


settings = ParleySettings()

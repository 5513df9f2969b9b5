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
    # Seconds after sending during which the sender may edit or delete a message.
    "PARLEY_EDIT_WINDOW": 15 * 60,
    # Days a deleted message's text is kept for moderators before the purge task blanks it.
    "PARLEY_DELETED_KEEP_DAYS": 30,
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
    # App tokens (parley.tokens.services): the access token's and the refresh token's lifetime,
    # in seconds, and how many devices one user may hold at once.
    "PARLEY_ACCESS_TOKEN_TTL": 15 * 60,
    "PARLEY_REFRESH_TOKEN_TTL": 60 * 24 * 3600,
    "PARLEY_MAX_DEVICES": 50,
    "PARLEY_LOGIN_FAILURES_PER_ADDRESS": 20,
    "PARLEY_LOGIN_WINDOW": 15 * 60,
    # Live-only signals (typing, presence) a user may emit: N per S seconds.
    "PARLEY_SIGNAL_RATE": "20/10",
    # Reports a user may send (frame and API alike): N per S seconds. A repeat of an open
    # report is not counted.
    "PARLEY_REPORT_RATE": "10/600",
    # `read` and `sync` frames a user may send: N per S seconds (per user, all sockets and processes).
    # Presence (stream/presence/): a process's entries expire this many seconds after its last
    # heartbeat (one every TTL/3 s), so a dead process's users go offline within about 1.3 TTL.
    "PARLEY_PRESENCE_TTL": 30,
    # Seconds a user's last socket on a process may stay closed before they count as gone there
    # (a page load closes one socket and opens the next).
    "PARLEY_PRESENCE_GRACE": 5,
    "PARLEY_READ_RATE": "120/10",
    "PARLEY_SYNC_RATE": "60/10",
    # Open sockets per user in one process; the one past it is closed with 4429.
    "PARLEY_WS_MAX_PER_USER": 20,
    # Seconds a client has to send a request's headers (slowloris), for `parley serve`.
    "PARLEY_HEADER_TIMEOUT": 10,
    # Writer threads for the send path; 0 = on the event loop (core/loopdb.py); None = 0 on
    # PostgreSQL, 1 on SQLite (realtime/batcher.py).
    "PARLEY_SEND_WRITERS": None,
    # Milliseconds a batch that could start may wait for more calls, while they arrive at least
    # one per two windows (realtime/batcher.py); 0: never wait.
    "PARLEY_SEND_WINDOW_MS": 2,
    # The send path's statements as server-side prepared statements on PostgreSQL (core/prepared.py).
    "PARLEY_PREPARED_STATEMENTS": True,
    # sys.setswitchinterval for a server process (None: leave Python's 5 ms). See realtime/asgi.py.
    "PARLEY_GIL_SWITCH_INTERVAL": 0.001,
    # gc.set_threshold for a server process, after gc.freeze() (None: leave Python's). See realtime/asgi.py.
    "PARLEY_GC_THRESHOLDS": (50_000, 20, 100),
    # Webhooks (parley.webhooks): http:// endpoints, and endpoints on private, loopback,
    # link-local or reserved addresses, are refused unless these are set (local receivers only).
    "PARLEY_WEBHOOK_ALLOW_HTTP": False,
    "PARLEY_WEBHOOK_ALLOW_PRIVATE": False,
    # Seconds a delivery's request may take, and how long after the event it is retried.
    "PARLEY_WEBHOOK_TIMEOUT": 5,
    "PARLEY_WEBHOOK_RETRY_FOR": 24 * 3600,
    "PARLEY_PAGE_SIZE": 30,
    # Explained risk warnings (parley.safety.risk): detect phone numbers, IBANs, links … on send
    # and show the recipient a "Safety tip". False: no detection, no tips.
    "PARLEY_SAFETY_TIPS": True,
    # Hosts whose links are not flagged as external (subdomains included). None: ALLOWED_HOSTS.
    "PARLEY_SAFE_LINK_HOSTS": None,
    "PARLEY_STREAM_RETENTION_DAYS": 14,
    # Notifications (parley.notifications): seconds a message stays unread before it is
    # emailed, and before it is pushed; how long a failing email or push is retried; the
    # site's address for links in emails.
    "PARLEY_NOTIFICATIONS": True,
    "PARLEY_EMAIL_DELAY": 600,
    "PARLEY_PUSH_DELAY": 30,
    "PARLEY_NOTIFY_RETRY_FOR": 24 * 3600,
    # Days a finished notification record (Notice: live, push, email) is kept for the admin.
    "PARLEY_NOTICE_KEEP_DAYS": 30,
    "PARLEY_SITE_URL": "http://127.0.0.1:8000",
    # Web Push (VAPID): the private key (base64url, raw 32 bytes), the public key (base64url,
    # uncompressed point: the browser's applicationServerKey) and the contact the push
    # services see. No keys: no push, and the settings page offers none.
    "PARLEY_VAPID_PRIVATE_KEY": "",
    "PARLEY_VAPID_PUBLIC_KEY": "",
    "PARLEY_VAPID_SUBJECT": "mailto:admin@parley.localhost",
    "PARLEY_PUSH_TIMEOUT": 10,
    # Push endpoints on private addresses or plain http (a local test push service only).
    "PARLEY_PUSH_ALLOW_PRIVATE": False,
    # Attachments (parley.attachments): bytes per file, files per message, the pixel limit an
    # image must stay under to be decoded at all (decompression bombs), a voice message's length.
    "PARLEY_ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "PARLEY_ATTACHMENTS_PER_MESSAGE": 10,
    "PARLEY_ATTACHMENT_MAX_PIXELS": 40_000_000,
    # Processes (per server or worker process) that decode and encode images, at the lowest
    # CPU priority (attachments/imagepool.py): that many decodes run at once.
    "PARLEY_IMAGE_PROCESSES": 1,
    "PARLEY_VOICE_MAX_SECONDS": 120,
    # Uploads a user may make: N per S seconds, and bytes stored per 24 hours.
    "PARLEY_UPLOAD_RATE": "30/60",
    "PARLEY_UPLOAD_DAILY_BYTES": 200 * 1024 * 1024,
    # Production behind nginx: the internal location files are handed to with X-Accel-Redirect
    # ("/_attachments/"); None serves them through Django (docs/deploy.md).
    "PARLEY_ATTACHMENTS_ACCEL_PREFIX": None,
    # Uploads never sent are deleted after this many hours.
    "PARLEY_UNSENT_UPLOAD_HOURS": 24,
    # Deals (parley.deals): hours a pending offer waits for an answer before it expires; the
    # largest amount an offer or a price may have (a Decimal string); the writer of the host's
    # listing status and price; the response time's window and the answered conversations it needs.
    "PARLEY_DEALS_OFFER_TTL_HOURS": 48,
    "PARLEY_DEALS_MAX_AMOUNT": "1000000",
    "PARLEY_DEALS_LISTING_WRITER": "parley.deals.listing.ListingWriter",
    "PARLEY_DEALS_RESPONSE_DAYS": 30,
    "PARLEY_DEALS_RESPONSE_MIN_SAMPLES": 3,
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

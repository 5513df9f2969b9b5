"""Django settings for Parley, read from the environment.

Every knob is an environment variable so that one codebase runs as the one-process
SQLite demo and as N processes on PostgreSQL and Redis (docs/deploy.md lists them).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PARLEY_VAR_DIR", BASE_DIR.parent.parent / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(int(default))).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = env_bool("PARLEY_PRODUCTION")
DEBUG = env_bool("PARLEY_DEBUG")
# Demo mode lists the demo accounts on the log-in page; production never does.
PARLEY_DEMO = env_bool("PARLEY_DEMO") and not PRODUCTION


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise RuntimeError("Set SECRET_KEY in the environment: production refuses a generated key.")
    # A development key that survives restarts, so sessions do too.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "fontawesomefree",
    "django_tasks",
    "django_tasks_db",
    "parley.core",
    "parley.accounts",
    "parley.marketplace",
    "parley.stream",
    "parley.conversations",
    "parley.safety",
    "parley.tokens",
    "parley.webhooks",
    "parley.quickreplies",
    "parley.presence",
    "parley.search",
    "parley.notifications",
    "parley.attachments",
    "parley.deals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "parley.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "parley.core.middleware.AppErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "parley.urls"
ASGI_APPLICATION = "parley.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parley.conversations.context_processors.parley",
                "parley.safety.context_processors.reporting",
                "parley.quickreplies.context_processors.quick_replies",
                "parley.search.context_processors.search",
                "parley.notifications.context_processors.notify",
                "parley.attachments.context_processors.attachments",
                "parley.deals.context_processors.deals",
            ],
        },
    },
]

# SQLite in WAL mode by default (set on connect in parley.core.apps); DATABASE_URL for PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'parley.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # With persistent connections, check one before reuse: a database restart then
        # costs no failed request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of
    # failing with "database is locked" when a read transaction tries to upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("PARLEY_TEST_SQLITE") or None}
else:
    # A test database per test process, so parallel test runs never share one.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("PARLEY_TEST_DB_NAME", f"test_parley_{os.getpid()}")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast when Redis is away: the rate limiter then fails open.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        # One process: the rate limiter keeps a counter per active sender and window, so
        # keep far more than LocMem's default 300 entries, which would cull live counters.
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 100_000}}
    )
}

# Background tasks: "immediate" runs them inline (development, tests); "database" queues them
# for the worker (`parley manage db_worker`, which `parley serve` starts), the production default.
PARLEY_TASKS = os.environ.get("PARLEY_TASKS", "database" if PRODUCTION else "immediate")
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if PARLEY_TASKS not in _TASK_BACKENDS:
    raise RuntimeError(f"PARLEY_TASKS is {PARLEY_TASKS!r}; set it to 'immediate' or 'database'.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[PARLEY_TASKS]}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "marketplace:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Attachments (photos, PDFs, voice messages): their own storage, never MEDIA_ROOT, so no
# public URL maps to them; every read goes through the access check (docs/deploy.md shows an
# S3-compatible backend and nginx's X-Accel-Redirect).
ATTACHMENTS_ROOT = Path(os.environ.get("ATTACHMENTS_ROOT", VAR_DIR / "attachments"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "parley_attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(ATTACHMENTS_ROOT), "base_url": None},
    },
}
PARLEY_ATTACHMENTS_ACCEL_PREFIX = os.environ.get("PARLEY_ATTACHMENTS_ACCEL_PREFIX") or None
# Uploads per user: N per S seconds, and bytes stored per 24 hours (parley.attachments).
PARLEY_UPLOAD_RATE = os.environ.get("PARLEY_UPLOAD_RATE", "30/60")
PARLEY_UPLOAD_DAILY_BYTES = int(os.environ.get("PARLEY_UPLOAD_DAILY_BYTES", str(200 * 1024 * 1024)))
# The app serves static and media files itself unless a proxy does (docs/deploy.md).
PARLEY_SERVE_FILES = env_bool("PARLEY_SERVE_FILES", not PRODUCTION)


def _xstatic_bootstrap_dir() -> str:
    import xstatic.pkg.bootstrap

    return xstatic.pkg.bootstrap.BASE_DIR


STATICFILES_DIRS = [("vendor/bootstrap", _xstatic_bootstrap_dir())]

# Security: the deploy checklist (manage.py check --deploy) passes with PARLEY_PRODUCTION=1.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Email (notifications, address confirmation), with Django's standard names. Without
# EMAIL_HOST, mails are written as files under var/mail/ (`parley serve` says so).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Parley <noreply@parley.localhost>")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.filebased.EmailBackend",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"parley": {"handlers": ["console"], "level": os.environ.get("PARLEY_LOG_LEVEL", "INFO")}},
}

# --- Parley -----------------------------------------------------------------------
# The listing model conversations are about, swappable like AUTH_USER_MODEL.
PARLEY_LISTING_MODEL = os.environ.get("PARLEY_LISTING_MODEL", "marketplace.Listing")
# How the messaging app reads a listing: title, price, photo, seller, status, URL.
PARLEY_LISTING_ADAPTER = os.environ.get(
    "PARLEY_LISTING_ADAPTER", "parley.conversations.listings.AttributeListingAdapter"
)
PARLEY_BROKER = "redis" if REDIS_URL else "memory"
# Redis channel names start with this, so several deployments can share one Redis.
PARLEY_REDIS_PREFIX = os.environ.get("PARLEY_REDIS_PREFIX", "parley")
PARLEY_WS_MAX_FRAME = int(os.environ.get("PARLEY_WS_MAX_FRAME", str(16 * 1024)))
PARLEY_MESSAGE_MAX_CHARS = 5000
# Sending: at most N messages per user per window of S seconds.
PARLEY_SEND_RATE = os.environ.get("PARLEY_SEND_RATE", "30/10")
# Presence: a dead process's users go offline within about 1.3 x TTL seconds; a user's last
# socket on a process closed for GRACE seconds counts as gone (stream/presence/).
PARLEY_PRESENCE_TTL = float(os.environ.get("PARLEY_PRESENCE_TTL", "30"))
PARLEY_PRESENCE_GRACE = float(os.environ.get("PARLEY_PRESENCE_GRACE", "5"))
PARLEY_READ_RATE = os.environ.get("PARLEY_READ_RATE", "120/10")
PARLEY_SYNC_RATE = os.environ.get("PARLEY_SYNC_RATE", "60/10")
# New conversations per user (empty: unlimited), and the stricter tier of accounts younger than
# PARLEY_NEW_ACCOUNT_HOURS (0: no tier). See parley.conversations.services.limits.
PARLEY_START_RATE = os.environ.get("PARLEY_START_RATE", "60/3600") or None
PARLEY_NEW_ACCOUNT_HOURS = float(os.environ.get("PARLEY_NEW_ACCOUNT_HOURS", "24"))
PARLEY_NEW_ACCOUNT_SEND_RATE = os.environ.get("PARLEY_NEW_ACCOUNT_SEND_RATE", "10/60")
PARLEY_NEW_ACCOUNT_START_RATE = os.environ.get("PARLEY_NEW_ACCOUNT_START_RATE", "5/3600")
# Failed log-ins per account and per client address within PARLEY_LOGIN_WINDOW seconds
# before log-in is refused (parley.accounts.throttle).
PARLEY_LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("PARLEY_LOGIN_FAILURES_PER_ACCOUNT", "5"))
PARLEY_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("PARLEY_LOGIN_FAILURES_PER_ADDRESS", "20"))
PARLEY_LOGIN_WINDOW = int(os.environ.get("PARLEY_LOGIN_WINDOW", str(15 * 60)))
# Open sockets per user in one process; the one past it is closed with 4429 (docs/protocol.md).
PARLEY_WS_MAX_PER_USER = int(os.environ.get("PARLEY_WS_MAX_PER_USER", "20"))
# Seconds `parley serve` gives a client to send a request's headers (slowloris).
PARLEY_HEADER_TIMEOUT = float(os.environ.get("PARLEY_HEADER_TIMEOUT", "10"))
# Writer threads for the WebSocket send path; 0: on the event loop; unset: 0 on PostgreSQL,
# 1 on SQLite (realtime/batcher.py, measured in docs/benchmarks.md).
PARLEY_SEND_WRITERS = int(os.environ["PARLEY_SEND_WRITERS"]) if os.environ.get("PARLEY_SEND_WRITERS") else None
# Milliseconds a send batch may wait for company under load (realtime/batcher.py); 0: never.
PARLEY_SEND_WINDOW_MS = float(os.environ.get("PARLEY_SEND_WINDOW_MS", "2"))
PARLEY_PREPARED_STATEMENTS = env_bool("PARLEY_PREPARED_STATEMENTS", True)
PARLEY_PAGE_SIZE = 30
# Explained risk warnings on messages (parley.safety.risk); PARLEY_SAFETY_TIPS=0 turns detection off.
PARLEY_SAFETY_TIPS = env_bool("PARLEY_SAFETY_TIPS", True)
# Hosts whose links are not "external" (comma-separated); unset: ALLOWED_HOSTS.
if os.environ.get("PARLEY_SAFE_LINK_HOSTS"):
    PARLEY_SAFE_LINK_HOSTS = env_list("PARLEY_SAFE_LINK_HOSTS", "")
# Stream events older than this are pruned; a cursor behind them gets resync_required.
PARLEY_STREAM_RETENTION_DAYS = int(os.environ.get("PARLEY_STREAM_RETENTION_DAYS", "14"))
# Webhooks: local receivers (http://, 127.0.0.1) only in development and the demo, never in production.
PARLEY_WEBHOOK_ALLOW_HTTP = env_bool("PARLEY_WEBHOOK_ALLOW_HTTP", not PRODUCTION and (DEBUG or PARLEY_DEMO))
PARLEY_WEBHOOK_ALLOW_PRIVATE = env_bool("PARLEY_WEBHOOK_ALLOW_PRIVATE", not PRODUCTION and (DEBUG or PARLEY_DEMO))
PARLEY_WEBHOOK_TIMEOUT = float(os.environ.get("PARLEY_WEBHOOK_TIMEOUT", "5"))
PARLEY_WEBHOOK_RETRY_FOR = int(os.environ.get("PARLEY_WEBHOOK_RETRY_FOR", str(24 * 3600)))
# Notifications (parley.notifications) on: its sink hands every commit's messages and reads
# to the task worker. PARLEY_NOTIFICATIONS=0 leaves the sink out (the benchmark's baseline).
PARLEY_NOTIFICATIONS = env_bool("PARLEY_NOTIFICATIONS", True)
PARLEY_EMAIL_DELAY = float(os.environ.get("PARLEY_EMAIL_DELAY", "600"))
PARLEY_PUSH_DELAY = float(os.environ.get("PARLEY_PUSH_DELAY", "30"))
PARLEY_NOTIFY_RETRY_FOR = int(os.environ.get("PARLEY_NOTIFY_RETRY_FOR", str(24 * 3600)))
PARLEY_SITE_URL = os.environ.get("PARLEY_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def _vapid_keys() -> dict:
    """VAPID keys from the environment, else from var/vapid.json (`parley serve` makes it once)."""
    if os.environ.get("PARLEY_VAPID_PRIVATE_KEY"):
        return {"private": os.environ["PARLEY_VAPID_PRIVATE_KEY"], "public": os.environ.get("PARLEY_VAPID_PUBLIC_KEY", "")}
    path = VAR_DIR / "vapid.json"
    if path.exists():
        import json

        return json.loads(path.read_text())
    return {}


_VAPID = _vapid_keys()
PARLEY_VAPID_PRIVATE_KEY = _VAPID.get("private", "")
PARLEY_VAPID_PUBLIC_KEY = _VAPID.get("public", "")
PARLEY_VAPID_SUBJECT = os.environ.get("PARLEY_VAPID_SUBJECT", "mailto:admin@parley.localhost")
PARLEY_PUSH_ALLOW_PRIVATE = env_bool("PARLEY_PUSH_ALLOW_PRIVATE", False)

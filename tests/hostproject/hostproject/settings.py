"""A minimal marketplace that installs Parley as a reusable app (tests/test_host_project.py).

It has its own listing model (shop.Item) and does NOT install parley.marketplace or
parley.accounts: the messaging app must work without the demo. Of Parley's settings it
sets only those that describe the listing model (and, with parley.deals, how to write its
status and price); every other PARLEY_* falls back to
the default in parley.conf, which is part of what this project proves.
"""

import os
import tempfile
from pathlib import Path

import xstatic.pkg.bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "hostproject-test-key-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "fontawesomefree",
    "django_tasks",
    "shop",
    "parley.core",
    "parley.stream",
    "parley.conversations",
    "parley.deals",  # optional: offers, item status, meet-ups
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "parley.core.middleware.AppErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hostproject.urls"
ASGI_APPLICATION = "hostproject.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Parley's pages read the unread total and the stream cursor from here.
                "parley.conversations.context_processors.parley",
                "parley.deals.context_processors.deals",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("HOST_DB", str(Path(tempfile.gettempdir()) / "parley-hostproject.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "shop:list"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
# Parley's page shell loads Bootstrap from the xstatic-bootstrap package (a Parley dependency).
STATICFILES_DIRS = [("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(tempfile.gettempdir()) / "parley-hostproject-media"

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Parley: the only two settings a host needs ------------------------------------
PARLEY_LISTING_MODEL = "shop.Item"
PARLEY_LISTING_ADAPTER = "shop.adapter.ItemAdapter"
PARLEY_DEALS_LISTING_WRITER = "shop.adapter.ItemWriter"

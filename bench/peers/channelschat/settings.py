"""Settings of the Channels peer: Django sessions (the same table and SECRET_KEY as the bench
data, so the same cookies log in), the tutorial's Redis channel layer."""

import os

import dj_database_url

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "channels",
    "bench.peers.channelschat",
]
MIDDLEWARE = []
ROOT_URLCONF = "bench.peers.channelschat.urls"
ASGI_APPLICATION = "bench.peers.channelschat.asgi.application"
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [os.environ.get("CHANNELS_REDIS_URL", "redis://127.0.0.1:6379/0")]},
    }
}
LOGGING = {"version": 1, "root": {"level": "WARNING"}}

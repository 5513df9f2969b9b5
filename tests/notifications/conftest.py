from datetime import timedelta

import pytest

from parley.notifications import services as notify_services

from .smtp import SMTPServer


@pytest.fixture
def smtp(settings):
    """A real SMTP server for this test, and Django's email pointed at it."""
    server = SMTPServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Parley <noreply@parley.test>"
    settings.PARLEY_SITE_URL = "https://parley.test"
    yield server
    server.stop()


class NotifyClock:
    def advance(self, seconds: float) -> None:
        notify_services.offset += timedelta(seconds=seconds)


@pytest.fixture
def notify_clock(monkeypatch):
    """Moves the ladder's clock (parley.notifications.services.clock) instead of sleeping."""
    monkeypatch.setattr(notify_services, "offset", timedelta(0))
    return NotifyClock()


@pytest.fixture
def push_service(settings):
    """A local push service, and VAPID keys for this test."""
    from parley.notifications.services.push import generate_vapid_keys

    from .pushservice import PushService

    keys = generate_vapid_keys()
    settings.PARLEY_VAPID_PRIVATE_KEY, settings.PARLEY_VAPID_PUBLIC_KEY = keys["private"], keys["public"]
    settings.PARLEY_VAPID_SUBJECT = "mailto:ops@parley.test"
    settings.PARLEY_PUSH_ALLOW_PRIVATE = True
    service = PushService().start()
    yield service
    service.stop()


@pytest.fixture(autouse=True)
def _own_rate_windows(rate_clock):
    """Confirmation links are rate-limited per user id: give each test windows of its own (ids repeat)."""
    return rate_clock

"""Issue 16, hole 3: failed log-ins are throttled per account and per address, on the log-in
page and the admin's, before any password is hashed, and the right password is refused too.

The windows are the rate limiter's (parley.core.ratelimit): `rate_clock` moves them.
"""

import pytest
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from parley.accounts import throttle
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def limits(settings, rate_clock):
    # A fast hasher: the tests count authenticate() calls, not the time they take.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PARLEY_LOGIN_FAILURES_PER_ACCOUNT = 5
    settings.PARLEY_LOGIN_FAILURES_PER_ADDRESS = 8
    settings.PARLEY_LOGIN_WINDOW = 15 * 60
    cache.clear()
    yield rate_clock
    cache.clear()


@pytest.fixture
def attempts():
    """Count the calls to authenticate() (each costs a password hash): failures and successes."""
    seen = {"failed": 0, "ok": 0}

    def failed(**kwargs):
        seen["failed"] += 1

    def ok(**kwargs):
        seen["ok"] += 1

    user_login_failed.connect(failed)
    user_logged_in.connect(ok)
    yield seen
    user_login_failed.disconnect(failed)
    user_logged_in.disconnect(ok)


def client_at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def log_in(client, username, password, url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password, "next": "/admin/"})


def logged_in(response) -> bool:
    return response.status_code == 302


def throttled(response) -> bool:
    return response.status_code == 200 and "Too many failed log-ins" in response.content.decode()


LOGIN_URLS = ["/accounts/login/", "/admin/login/"]


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_an_account_is_throttled_after_5_failures_even_with_the_right_password(limits, attempts, url):
    f.user("victim", password=PASSWORD, is_staff=True)
    for i in range(5):
        response = log_in(client_at(f"10.0.0.{i}"), "victim", "wrong")
        assert response.status_code == 200 and not throttled(response)
    assert attempts == {"failed": 5, "ok": 0}
    # From yet another address: refused, wrong or right, and nothing is hashed any more.
    for password in ["wrong"] * 20 + [PASSWORD]:
        response = log_in(client_at("10.0.1.1"), "victim", password, url)
        assert throttled(response)
        assert "Try again in 15 minutes." in response.content.decode()
    assert attempts == {"failed": 5, "ok": 0}, "refused before authenticate()"


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_the_account_throttle_is_shared_by_the_form_and_the_admin(limits, url):
    f.user("victim", password=PASSWORD, is_staff=True)
    other = "/admin/login/" if url == "/accounts/login/" else "/accounts/login/"
    for _ in range(5):
        log_in(client_at("10.0.0.1"), "victim", "wrong", other)
    assert throttled(log_in(client_at("10.0.0.2"), "victim", PASSWORD, url))


def test_an_address_is_throttled_across_accounts(limits, attempts):
    f.user("victim", password=PASSWORD)
    attacker = client_at("203.0.113.9")
    for i in range(8):  # one failure each on 8 accounts (that do not exist): under the account limit
        assert not throttled(log_in(attacker, f"guess{i}", "wrong"))
    assert throttled(log_in(attacker, "victim", PASSWORD))
    assert throttled(log_in(attacker, "victim", PASSWORD, "/admin/login/"))
    assert attempts["failed"] == 8
    # The victim, from their own address, is not affected.
    assert logged_in(log_in(client_at("198.51.100.7"), "victim", PASSWORD))


def test_other_accounts_are_not_affected(limits):
    f.user("victim", password=PASSWORD)
    f.user("bystander", password=PASSWORD)
    for i in range(6):
        log_in(client_at(f"10.0.0.{i}"), "victim", "wrong")
    assert throttled(log_in(client_at("10.0.2.1"), "victim", PASSWORD))
    assert logged_in(log_in(client_at("10.0.2.1"), "bystander", PASSWORD))


def test_the_account_key_ignores_case(limits):
    f.user("victim", password=PASSWORD)
    for i, name in enumerate(["victim", "VICTIM", "Victim", "vIctim", "victiM"]):
        log_in(client_at(f"10.0.0.{i}"), name, "wrong")
    assert throttled(log_in(client_at("10.0.3.1"), "victim", PASSWORD))


def test_the_throttle_ends_with_the_window(limits):
    f.user("victim", password=PASSWORD)
    for i in range(5):
        log_in(client_at(f"10.0.0.{i}"), "victim", "wrong")
    limits.advance(14 * 60 + 58)
    response = log_in(client_at("10.0.4.1"), "victim", PASSWORD)
    assert throttled(response) and "Try again in 1 minute." in response.content.decode()
    limits.advance(2)
    assert logged_in(log_in(client_at("10.0.4.1"), "victim", PASSWORD))


def test_a_successful_log_in_does_not_count(limits):
    f.user("victim", password=PASSWORD)
    for _ in range(10):
        assert logged_in(log_in(client_at("10.0.5.1"), "victim", PASSWORD))


def test_the_message_is_translated(limits, client):
    f.user("victim", password=PASSWORD)
    for i in range(5):
        log_in(client_at(f"10.0.0.{i}"), "victim", "wrong")
    french = Client(REMOTE_ADDR="10.0.6.1", HTTP_ACCEPT_LANGUAGE="fr")
    page = log_in(french, "victim", PASSWORD).content.decode()
    with translation.override("fr"):
        expected = translation.gettext("Too many failed log-ins. Try again in %(minutes)d minutes.") % {"minutes": 15}
    assert "Too many" not in expected
    assert expected in page


def test_the_token_endpoint_helper_refuses_and_counts(limits, rf, attempts):
    user = f.user("victim", password=PASSWORD)
    request = rf.post("/api/v1/auth/token", REMOTE_ADDR="10.0.7.1")
    for _ in range(5):
        assert throttle.authenticate_throttled(request, "victim", "wrong") is None
    with pytest.raises(throttle.LoginThrottled) as refused:
        throttle.authenticate_throttled(request, "victim", PASSWORD)
    assert refused.value.code == "rate_limited" and refused.value.details["retry_after"] == 15 * 60
    assert attempts["failed"] == 5
    limits.advance(15 * 60)
    assert throttle.authenticate_throttled(request, "victim", PASSWORD) == user

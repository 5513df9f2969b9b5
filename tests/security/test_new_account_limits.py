"""Issue 16, item 5: accounts in their first hours start fewer conversations and send slower.

Established accounts keep PARLEY_SEND_RATE; the demo accounts are established. Counters live in
the cache and the windows move with `rate_clock`, so nothing waits on the wall clock.
"""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from parley.accounts.demo import DEMO_USERS
from parley.conversations import services
from parley.conversations.services import SendRequest, send_batch
from parley.conversations.services.limits import is_new_account
from parley.core.errors import RateLimited
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings, rate_clock):
    from django.core.cache import cache

    cache.clear()
    settings.PARLEY_NEW_ACCOUNT_HOURS = 24
    settings.PARLEY_NEW_ACCOUNT_SEND_RATE = "10/60"
    settings.PARLEY_NEW_ACCOUNT_START_RATE = "5/3600"
    settings.PARLEY_SEND_RATE = "30/10"
    settings.PARLEY_START_RATE = "60/3600"
    yield rate_clock
    cache.clear()


def newcomer(hours_old: float = 1):
    return f.user(date_joined=timezone.now() - timedelta(hours=hours_old))


def start(buyer, seller):
    return services.conversation_start(buyer=buyer, listing=f.listing(seller=seller))


def send_many(sender, conv, n):
    return send_batch([SendRequest(sender, conv.pk, f"m{i}", uuid.uuid4()) for i in range(n)])


def codes(out):
    return [r.error.code if r.error else "ok" for r in out]


def test_the_tier_is_the_first_24_hours(limits):
    assert is_new_account(newcomer(1))
    assert is_new_account(newcomer(23.9))
    assert not is_new_account(newcomer(24.1))
    assert not is_new_account(f.user())  # factory users are established


def test_a_new_account_starts_at_most_5_conversations_an_hour(limits):
    seller, buyer = f.user(), newcomer()
    for _ in range(5):
        start(buyer, seller)
    with pytest.raises(RateLimited) as refused:
        start(buyer, seller)
    assert refused.value.code == "rate_limited" and refused.value.status == 429
    assert refused.value.details["retry_after"] == 3600, "0.5 s into the hour (rounded up)"
    assert "3600" in str(refused.value.message)
    # Opening a conversation that already exists is not a new one: never limited.
    listing = f.listing(seller=seller)
    limits.advance(3600)
    conv, created = services.conversation_start(buyer=buyer, listing=listing)
    assert created
    for _ in range(3):
        assert services.conversation_start(buyer=buyer, listing=listing) == (conv, False)


def test_an_established_account_keeps_the_everyone_start_rate(limits):
    seller, buyer = f.user(), f.user()
    for _ in range(20):
        start(buyer, seller)


def test_a_new_account_sends_at_most_10_messages_a_minute(limits):
    seller, buyer = f.user(), newcomer()
    conv = f.conversation(buyer=buyer, seller=seller)
    out = send_many(buyer, conv, 12)
    assert codes(out) == ["ok"] * 10 + ["rate_limited"] * 2
    assert out[-1].error.details["retry_after"] == 60
    limits.advance(60)
    assert codes(send_many(buyer, conv, 1)) == ["ok"]


def test_established_accounts_keep_todays_rate_in_the_same_batch(limits):
    """One batch mixes tiers: each request gets its own sender's rate (one cache call per batch)."""
    seller, buyer = f.user(), newcomer()
    conv = f.conversation(buyer=buyer, seller=seller)
    batch = [SendRequest(s, conv.pk, "x", uuid.uuid4()) for s in [buyer, seller] * 12]
    out = send_batch(batch)
    assert codes(out[0::2]) == ["ok"] * 10 + ["rate_limited"] * 2  # the newcomer
    assert codes(out[1::2]) == ["ok"] * 12  # the seller: 30 per 10 s


def test_the_tier_ends_after_24_hours(limits):
    seller, buyer = f.user(), newcomer(hours_old=25)
    conv = f.conversation(buyer=buyer, seller=seller)
    assert codes(send_many(buyer, conv, 20)) == ["ok"] * 20


def test_the_limits_are_settings(limits, settings):
    settings.PARLEY_NEW_ACCOUNT_SEND_RATE = "2/60"
    seller, buyer = f.user(), newcomer()
    conv = f.conversation(buyer=buyer, seller=seller)
    assert codes(send_many(buyer, conv, 3)) == ["ok", "ok", "rate_limited"]
    settings.PARLEY_NEW_ACCOUNT_HOURS = 0  # the tier off
    assert codes(send_many(buyer, conv, 3)) == ["ok"] * 3


def test_the_api_says_when_to_try_again(limits, client):
    seller, buyer = f.user(), newcomer()
    client.force_login(buyer)
    listings = [f.listing(seller=seller) for _ in range(6)]
    answers = [client.post("/api/v1/conversations", {"listing_id": item.pk}, content_type="application/json")
               for item in listings]
    assert [a.status_code for a in answers[:5]] == [201] * 5
    assert answers[5].status_code == 429
    error = answers[5].json()["error"]
    assert error["code"] == "rate_limited" and error["details"]["retry_after"] == 3600 and error["message"]
    conv_id = answers[0].json()["conversation"]["id"]
    sent = [client.post(f"/api/v1/conversations/{conv_id}/messages",
                        {"body": "hi", "client_msg_id": str(uuid.uuid4())}, content_type="application/json")
            for _ in range(11)]
    assert [s.status_code for s in sent].count(429) == 1 and sent[-1].status_code == 429
    assert sent[-1].json()["error"]["details"]["retry_after"] == 60


def test_the_demo_accounts_are_established(limits):
    call_command("parley_demo", verbosity=0)
    from django.contrib.auth import get_user_model

    for spec in DEMO_USERS:
        assert not is_new_account(get_user_model().objects.get(username=spec["username"]))

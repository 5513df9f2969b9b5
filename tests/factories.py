"""Small factories for tests: users, listings and conversations (through the services)."""

import itertools
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.test import Client

from parley.conversations import services
from parley.marketplace.models import Listing

_n = itertools.count(1)


# Factory users are established accounts unless a test passes date_joined (the stricter tier of
# new accounts, PARLEY_NEW_ACCOUNT_HOURS, has its own tests in tests/security/).
ESTABLISHED = datetime(2024, 1, 1, tzinfo=UTC)


def user(username: str | None = None, password: str | None = None, **extra):
    """Create a user; without a password it is unusable (hashing is slow; tests use force_login)."""
    username = username or f"user{next(_n)}"
    extra.setdefault("date_joined", ESTABLISHED)
    return get_user_model().objects.create_user(username=username, password=password, **extra)


def listing(*, seller, title: str | None = None, price: str = "10.00", currency: str = "EUR", **extra) -> Listing:
    return Listing.objects.create(
        seller=seller, title=title or f"Item {next(_n)}", price=Decimal(price), currency=currency, **extra
    )


def conversation(*, buyer, seller=None, listing_obj=None):
    """Return a new conversation started by buyer about a listing of seller."""
    if listing_obj is None:
        listing_obj = listing(seller=seller)
    conv, _created = services.conversation_start(buyer=buyer, listing=listing_obj)
    return conv


def send(conv, sender, body: str = "hello", client_msg_id=None):
    """Send through the service; return the message."""
    message, _created = services.message_send(
        sender=sender, conversation=conv, body=body, client_msg_id=client_msg_id or uuid.uuid4()
    )
    return message


def trio():
    """alice (seller), bob (buyer), carol (outsider) and bob's conversation about alice's listing."""
    alice, bob, carol = user("alice"), user("bob"), user("carol")
    conv = conversation(buyer=bob, seller=alice)
    return alice, bob, carol, conv


def client_for(user, **kwargs) -> Client:
    """A Django test client logged in as `user` (kwargs go to Client, e.g. enforce_csrf_checks)."""
    client = Client(**kwargs)
    client.force_login(user)
    return client

"""Create bench users, listings, conversations and sessions in bulk; write the sessions as JSON.

Run in its own process with the server's DATABASE_URL, before the server starts:
    python -m bench.setup_data --pairs 1000 --out sessions.json
Logging in through the form would hash 2,000 passwords; this writes the session rows directly.
"""

import argparse
import json
import os
import sys
import time
from datetime import timedelta


def setup(pairs: int, prefix: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from parley.conversations.models import Conversation, Participant
    from parley.marketplace.models import Listing
    from parley.stream.append import stream_open

    call_command("migrate", interactive=False, verbosity=0)
    User = get_user_model()
    now = timezone.now()
    unusable = "!" + get_random_string(40)  # one unusable "hash" for everyone: no hashing cost
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"{prefix}{i}", password=unusable, is_active=True) for i in range(2 * pairs)],
            batch_size=500,
        )
        users = list(User.objects.filter(username__startswith=prefix).order_by("id"))
        sellers, buyers = users[0::2], users[1::2]
        listings = Listing.objects.bulk_create(
            [Listing(title=f"Bench item {i}", price="10.00", currency="EUR", seller=s) for i, s in enumerate(sellers)],
            batch_size=500,
        )
        listings = list(Listing.objects.filter(seller__in=sellers).order_by("seller_id"))
        convs = Conversation.objects.bulk_create(
            [
                Conversation(listing=l, buyer=b, seller=s, last_activity_at=now)
                for l, b, s in zip(listings, buyers, sellers)
            ],
            batch_size=500,
        )
        convs = list(Conversation.objects.filter(listing__in=listings).order_by("seller_id"))
        Participant.objects.bulk_create(
            [Participant(conversation=c, user_id=c.buyer_id, role=Participant.Role.BUYER, last_activity_at=now)
             for c in convs]
            + [Participant(conversation=c, user_id=c.seller_id, role=Participant.Role.SELLER, last_activity_at=now)
               for c in convs],
            batch_size=500,
        )
        stream_open(u.pk for u in users)  # as conversation_start leaves them: both streams open
        backend = "django.contrib.auth.backends.ModelBackend"
        expire = now + timedelta(days=7)
        store = SessionStore()
        keys = {}
        rows = []
        for u in users:
            key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
            keys[u.pk] = key
            data = {"_auth_user_id": str(u.pk), "_auth_user_backend": backend, "_auth_user_hash": u.get_session_auth_hash()}
            rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        Session.objects.bulk_create(rows, batch_size=500)
        tokens = _tokens(users, now)
    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "users": {str(pk): key for pk, key in keys.items()},
        "tokens": tokens,
        "conversations": [[c.pk, c.buyer_id, c.seller_id] for c in convs],
    }


def _tokens(users, now) -> dict:
    """An app token per user, written directly like the sessions (`--token-half`)."""
    from django.apps import apps

    if not apps.is_installed("parley.tokens"):
        return {}
    from parley.tokens.models import Device, Token
    from parley.tokens.services import PREFIX, digest
    from django.utils.crypto import get_random_string

    devices = Device.objects.bulk_create(
        [Device(user=u, name="bench", auth_hash=u.get_session_auth_hash(), last_used_at=now) for u in users], batch_size=500)
    raw = {d.user_id: PREFIX + get_random_string(43) for d in devices}
    Token.objects.bulk_create(
        [Token(device=d, kind=Token.Kind.ACCESS, digest=digest(raw[d.user_id]), expires_at=now + timedelta(days=1))
         for d in devices], batch_size=500)
    return {str(uid): token for uid, token in raw.items()}


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pairs", type=int, default=1000)
    p.add_argument("--prefix", default="bench")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    t0 = time.monotonic()
    data = setup(args.pairs, args.prefix)
    with open(args.out, "w") as f:
        json.dump(data, f)
    print(f"setup: {len(data['users'])} users, {len(data['conversations'])} conversations "
          f"in {time.monotonic() - t0:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()

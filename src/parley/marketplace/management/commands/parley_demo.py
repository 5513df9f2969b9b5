"""Load the demo accounts and listings. Idempotent: existing rows are kept as they are."""

from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from parley.accounts.demo import DEMO_JOINED, DEMO_PASSWORD, DEMO_USERS
from parley.marketplace.demo_photos import draw_photo
from parley.marketplace.models import Listing

LISTINGS = [
    ("alice", "Vintage road bike", "A 1980s steel road bike, 56 cm frame, recently serviced. New tyres and bar tape.", "350.00", ("#1d4ed8", "#60a5fa"), "bike"),
    ("alice", "Brass desk lamp", "Adjustable brass lamp from the 1970s, rewired with a new switch. Works perfectly.", "45.00", ("#b45309", "#fbbf24"), "lamp"),
    ("alice", "Film camera 35 mm", "Manual 35 mm camera with a 50 mm f/1.8 lens. Light meter works; comes with a strap.", "120.00", ("#334155", "#94a3b8"), "camera"),
    ("bob", "Oak dining chair", "Solid oak chair, sturdy and recently oiled. One of a set of four; the others are also for sale.", "60.00", ("#166534", "#4ade80"), "chair"),
    ("bob", "Acoustic guitar", "Full-size acoustic guitar with a soft case and spare strings. A small scratch on the back.", "150.00", ("#7c2d12", "#fb923c"), "guitar"),
]


def demo_email(username: str) -> str:
    return f"{username}@example.com"  # a reserved domain: nothing is ever delivered there


def _demo_addresses(users) -> None:
    """Give the demo accounts their @example.com addresses, confirmed (also in an older database)."""
    for username, user in users.items():
        if not user.email:
            user.email = demo_email(username)
            user.save(update_fields=["email"])
    if apps.is_installed("parley.notifications"):
        from parley.notifications.services.address import email_mark_confirmed

        for user in users.values():
            email_mark_confirmed(user_id=user.pk, address=user.email)


class Command(BaseCommand):
    help = "Create the demo accounts (password 'parley-demo') and listings, keeping any that exist."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        users, created_users, created_listings = {}, 0, 0
        for spec in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=spec["username"],
                defaults={"first_name": spec["first_name"], "last_name": spec["last_name"], "date_joined": DEMO_JOINED,
                          "email": demo_email(spec["username"])},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                created_users += 1
            users[spec["username"]] = user
        _demo_addresses(users)
        # Established accounts, also in a database loaded before DEMO_JOINED existed.
        User.objects.filter(username__in=users, date_joined__gt=DEMO_JOINED).update(date_joined=DEMO_JOINED)
        for seller, title, description, price, colors, motif in LISTINGS:
            if Listing.objects.filter(seller=users[seller], title=title).exists():
                continue
            listing = Listing(
                seller=users[seller], title=title, description=description, price=Decimal(price), currency="EUR"
            )
            listing.photo.save(f"{motif}.jpg", ContentFile(draw_photo(title, colors, motif)), save=False)
            listing.save()
            created_listings += 1
        if apps.is_installed("parley.deals"):
            _seed_safe_places()
        if options["verbosity"]:
            self.stdout.write(
                f"Demo data: {created_users} accounts and {created_listings} listings created "
                f"({len(users)} accounts, {Listing.objects.count()} listings in all)."
            )


# Public places with staff and cameras that the meet-up card suggests (parley.deals); the
# marketplace's staff edit them in the admin.
SAFE_PLACES = [
    ("Gare de Lyon, main hall", "Place Louis-Armand, 75012 Paris", "Paris"),
    ("Commissariat du 11e, lobby", "107 boulevard Voltaire, 75011 Paris", "Paris"),
    ("Lyon Part-Dieu station, ticket hall", "Place Charles Béraudier, 69003 Lyon", "Lyon"),
]


def _seed_safe_places() -> None:
    from parley.deals.models import SafePlace

    for name, address, city in SAFE_PLACES:
        SafePlace.objects.get_or_create(name=name, defaults={"address": address, "city": city})

"""The demo data command: idempotent accounts and listings with real photos."""

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from PIL import Image

from parley.marketplace.models import Listing


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_parley_demo_is_idempotent(db, media):
    out = io.StringIO()
    call_command("parley_demo", stdout=out)
    assert "3 accounts" in out.getvalue()
    users = {u.username: u for u in get_user_model().objects.all()}
    listings = list(Listing.objects.order_by("pk").values_list("pk", "seller__username", "title", "photo"))
    call_command("parley_demo", stdout=io.StringIO())
    assert set(users) == {"alice", "bob", "carol"}
    assert get_user_model().objects.count() == 3
    assert list(Listing.objects.order_by("pk").values_list("pk", "seller__username", "title", "photo")) == listings
    for name in ("alice", "bob", "carol"):
        assert authenticate(username=name, password="parley-demo") is not None, name
    titles_by = lambda seller: {t for _, s, t, _ in listings if s == seller}  # noqa: E731
    assert len(titles_by("alice")) >= 3 and "Vintage road bike" in titles_by("alice")
    assert len(titles_by("bob")) >= 1
    assert titles_by("carol") == set()


def test_demo_photos_exist_and_decode(db, media):
    call_command("parley_demo", verbosity=0)
    listings = list(Listing.objects.all())
    assert listings
    for listing in listings:
        assert listing.photo, listing.title
        with listing.photo.open("rb") as fh:
            image = Image.open(fh)
            image.verify()
        with listing.photo.open("rb") as fh:
            image = Image.open(fh)
            image.load()
            assert image.format in {"JPEG", "PNG", "WEBP"}
            assert image.width >= 200 and image.height >= 150


def test_demo_keeps_changed_rows(db, media):
    call_command("parley_demo", verbosity=0)
    bike = Listing.objects.get(title="Vintage road bike")
    bike.price = 1
    bike.save()
    call_command("parley_demo", verbosity=0)
    assert Listing.objects.filter(title="Vintage road bike").count() == 1
    assert Listing.objects.get(pk=bike.pk).price == 1

"""Meet-ups (propose, accept, I'm here, the reminder, the .ics) and the seller's response time."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from parley.conversations.models import Message
from parley.core.errors import AppError
from parley.deals import services
from parley.deals.models import Meetup, SafePlace
from parley.deals.selectors import response_time_for
from tests import factories as f
from tests.support.events import capture_events

from .helpers import bike_with_buyers

pytestmark = pytest.mark.django_db


def test_propose_accept_here_and_the_reminder_an_hour_before():
    alice, _bike, b = bike_with_buyers("bob")
    bob, conv = b["bob"]
    station = SafePlace.objects.create(name="Gare de Lyon, main hall", address="Place Louis-Armand, Paris", city="Paris")
    at = timezone.now() + timedelta(hours=5)
    first = services.meetup_propose(user=bob, conversation=conv, at=at, place="Café de la Gare")
    with pytest.raises(AppError) as err:
        services.meetup_accept(user=bob, meetup=first)
    assert err.value.code == "own_meetup"
    second = services.meetup_propose(user=alice, conversation=conv, at=at, safe_place_id=station.pk)
    first.refresh_from_db()
    assert first.state == "replaced" and (second.place, second.address) == (station.name, station.address)
    with capture_events(expected=2) as got:
        services.meetup_accept(user=bob, meetup=second)
    assert {e.type for e in got.events} == {"meetup.accepted"}
    with pytest.raises(AppError) as err:
        services.meetup_here(user=bob, meetup=second, now=at - timedelta(days=1))
    assert err.value.code == "meetup_not_today"
    assert services.meetups_remind(now=at - timedelta(hours=2)) == 0
    with capture_events(expected=2) as got:
        assert services.meetups_remind(now=at - timedelta(minutes=50)) == 1
    assert {e.type for e in got.events} == {"meetup.reminder"}
    assert services.meetups_remind(now=at - timedelta(minutes=40)) == 0, "once"
    with capture_events(expected=2) as got:
        services.meetup_here(user=alice, meetup=second, now=at - timedelta(minutes=5))
    assert got.events[0].type == "meetup.arrived" and got.events[0].data["meetup"]["seller_here_at"]


def test_bad_meetups_are_refused():
    _alice, _bike, b = bike_with_buyers("bob")
    bob, conv = b["bob"]
    now = timezone.now()
    for kwargs, field in [({"at": now - timedelta(hours=1), "place": "x"}, "at"),
                          ({"at": now + timedelta(days=90), "place": "x"}, "at"),
                          ({"at": now + timedelta(hours=1), "place": "  "}, "place"),
                          ({"at": now + timedelta(hours=1), "safe_place_id": 10**9}, "safe_place_id")]:
        with pytest.raises(AppError) as err:
            services.meetup_propose(user=bob, conversation=conv, **kwargs)
        assert err.value.details["field"] == field
    assert not Meetup.objects.exists()


def test_the_ics_file_is_for_participants_only():
    alice, _bike, b = bike_with_buyers("bob")
    bob, conv = b["bob"]
    meetup = services.meetup_propose(user=bob, conversation=conv, at=timezone.now() + timedelta(hours=3), place="Town hall")
    r = f.client_for(alice).get(f"/deals/meetups/{meetup.pk}.ics")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    body = r.content.decode()
    assert "BEGIN:VEVENT" in body and "LOCATION:Town hall" in body and "TRIGGER:-PT1H" in body
    assert "attachment" in r["Content-Disposition"]
    assert f.client_for(f.user("dave")).get(f"/deals/meetups/{meetup.pk}.ics").status_code == 404


def _answered(seller, listing, delay: timedelta, when):
    buyer = f.user()
    conv = f.conversation(buyer=buyer, listing_obj=listing)
    f.send(conv, buyer, "is it still available?")
    f.send(conv, seller, "yes, still there")
    first, reply = Message.objects.filter(conversation=conv).order_by("seq")
    Message.objects.filter(pk=first.pk).update(created_at=when)
    Message.objects.filter(pk=reply.pk).update(created_at=when + delay)
    type(conv).objects.filter(pk=conv.pk).update(created_at=when)


def test_response_time_needs_enough_recent_first_replies(settings):
    settings.PARLEY_DEALS_RESPONSE_MIN_SAMPLES = 3
    alice = f.user("alice")
    bike = f.listing(seller=alice)
    now = timezone.now()
    assert response_time_for(seller_id=alice.pk) is None
    for minutes in (10, 40):
        _answered(alice, bike, timedelta(minutes=minutes), now - timedelta(days=2))
    assert response_time_for(seller_id=alice.pk) is None, "two replies are not enough"
    _answered(alice, bike, timedelta(days=3), now - timedelta(days=45))  # outside the 30 days
    assert response_time_for(seller_id=alice.pk) is None
    _answered(alice, bike, timedelta(minutes=50), now - timedelta(days=1))
    found = response_time_for(seller_id=alice.pk)
    assert (found["bucket"], found["samples"], found["text"]) == ("hour", 3, "Usually replies within an hour")
    for _ in range(4):
        _answered(alice, bike, timedelta(hours=20), now - timedelta(days=3))
    assert response_time_for(seller_id=alice.pk)["text"] == "Usually replies within a day"


def test_the_listing_page_shows_the_response_time(settings):
    settings.PARLEY_DEALS_RESPONSE_MIN_SAMPLES = 1
    alice = f.user("alice")
    bike = f.listing(seller=alice)
    _answered(alice, bike, timedelta(minutes=5), timezone.now() - timedelta(hours=3))
    page = f.client_for(f.user("eve")).get(f"/marketplace/{bike.pk}/").content.decode()
    assert "Usually replies within an hour" in page and 'id="listing-response"' in page


def test_the_conversation_header_shows_the_response_time_only_with_enough_data(settings):
    settings.PARLEY_DEALS_RESPONSE_MIN_SAMPLES = 2
    alice = f.user("alice")
    bike = f.listing(seller=alice)
    _answered(alice, bike, timedelta(minutes=5), timezone.now() - timedelta(hours=3))
    bob = f.user("bob")
    conv = f.conversation(buyer=bob, listing_obj=bike)
    page = f.client_for(bob).get(f"/messages/{conv.pk}/").content.decode()
    assert 'id="deal-bar"' in page and "Usually replies" not in page
    _answered(alice, bike, timedelta(minutes=30), timezone.now() - timedelta(hours=2))
    try:
        page = f.client_for(bob).get(f"/messages/{conv.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    finally:
        translation.activate("en")  # the request left French active in this thread
    assert "Répond généralement en moins d’une heure" in page

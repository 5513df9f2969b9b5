"""Quick replies' services: the limit, the text rules, the defaults once, in the user's language."""

import pytest
from django.utils import translation

from parley.core.errors import Conflict, Invalid, NotFound
from parley.quickreplies import services
from parley.quickreplies.models import MAX_PER_USER, QuickReply
from tests import factories as f

pytestmark = pytest.mark.django_db

EN = ["Yes, it's still available.", "The price is firm, sorry.", "I can meet you at the station on Saturday."]


def texts(user):
    return [r.text for r in services.quick_replies_for(user=user)]


def test_defaults_come_once_in_english_and_not_back_after_delete():
    alice = f.user("alice")
    with translation.override("en"):
        assert texts(alice) == EN
        assert texts(alice) == EN, "opening the list again adds nothing"
        for reply in services.quick_replies_for(user=alice):
            services.quick_reply_delete(reply=reply)
        assert texts(alice) == []


def test_defaults_are_in_french_for_a_french_user():
    bob = f.user("bob")
    with translation.override("fr"):
        got = texts(bob)
    assert len(got) == 3 and got[0] == "Oui, c’est toujours disponible." and got != EN


def test_create_appends_trims_and_stops_at_the_limit():
    alice = f.user("alice")
    reply = services.quick_reply_create(user=alice, text="  Still here?  \r\n")
    assert reply.text == "Still here?" and reply.position == 3, "after the three defaults"
    while QuickReply.objects.filter(user=alice).count() < MAX_PER_USER:
        services.quick_reply_create(user=alice, text="more")
    with pytest.raises(Conflict) as info:
        services.quick_reply_create(user=alice, text="one too many")
    assert info.value.code == "too_many_quick_replies" and "20" in str(info.value.message)
    assert QuickReply.objects.filter(user=alice).count() == MAX_PER_USER


@pytest.mark.parametrize("text", ["", "   \n ", "bell\x07", "x" * 501, None, 5])
def test_bad_text_is_refused_with_the_field(text):
    alice = f.user("alice")
    with pytest.raises(Invalid) as info:
        services.quick_reply_create(user=alice, text=text)
    assert info.value.details["field"] == "text" and str(info.value.message)


def test_text_keeps_newlines_and_tabs_and_500_chars():
    alice = f.user("alice")
    assert services.quick_reply_create(user=alice, text="a\n\tb").text == "a\n\tb"
    assert len(services.quick_reply_create(user=alice, text="y" * 500).text) == 500


def test_edit_and_move():
    alice = f.user("alice")
    first, second, third = services.quick_replies_for(user=alice)
    services.quick_reply_edit(reply=second, text=" New text ")
    assert QuickReply.objects.get(pk=second.pk).text == "New text"
    services.quick_reply_move(reply=third, direction="up")
    assert [r.pk for r in services.quick_replies_for(user=alice)] == [first.pk, third.pk, second.pk]
    services.quick_reply_move(reply=first, direction="up")  # already first: nothing moves
    services.quick_reply_move(reply=first, direction="down")
    assert [r.pk for r in services.quick_replies_for(user=alice)] == [third.pk, first.pk, second.pk]
    with pytest.raises(Invalid):
        services.quick_reply_move(reply=first, direction="sideways")


def test_someone_elses_reply_is_not_found():
    alice, bob = f.user("alice"), f.user("bob")
    theirs = services.quick_replies_for(user=alice)[0]
    for bad in (theirs.pk, 10**9, "x", 2**70, True):
        with pytest.raises(NotFound):
            services.quick_reply_for(bob, bad)
    assert services.quick_reply_for(alice, str(theirs.pk)) == theirs

"""Archive and Unarchive (per user), the inbox's filters and their counts."""

import pytest

from parley.conversations import selectors, services
from parley.core.errors import Invalid
from tests import factories as f
from tests.support.events import capture_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(no_rate_limit):
    alice, bob, carol = f.user("alice"), f.user("bob"), f.user("carol")
    lamp = f.listing(seller=alice, title="Lamp")
    c_bob = f.conversation(buyer=bob, listing_obj=lamp)
    c_carol = f.conversation(buyer=carol, listing_obj=lamp)
    c_buying = f.conversation(buyer=alice, seller=carol)
    for c, who in ((c_bob, bob), (c_carol, carol), (c_buying, carol)):
        f.send(c, who, "hello")
    return alice, bob, carol, (c_bob, c_carol, c_buying), lamp


def ids(user, **kw):
    rows, _next = selectors.inbox_page(user=user, **kw)
    return {p.conversation_id for p in rows}


def test_archive_is_per_user_and_a_new_message_brings_it_back(seller):
    alice, bob, _carol, (c_bob, c_carol, c_buying), _lamp = seller
    with capture_events(expected=1) as captured:
        assert services.conversation_archive(user=alice, conversation=c_bob) is True
    assert [(e.user_id, e.type) for e in captured.events] == [(alice.pk, "conversation.archived")]
    assert ids(alice) == {c_carol.pk, c_buying.pk}
    assert ids(alice, filter="archived") == {c_bob.pk}
    assert ids(bob) == {c_bob.pk}  # the other person's inbox is untouched
    assert services.conversation_archive(user=alice, conversation=c_bob) is False  # twice: nothing
    f.send(c_bob, bob, "still there?")
    assert ids(alice) == {c_bob.pk, c_carol.pk, c_buying.pk}
    assert ids(alice, filter="archived") == set()


def test_unarchive_returns_it(seller):
    alice, _bob, _carol, (c_bob, _c_carol, _c_buying), _lamp = seller
    services.conversation_archive(user=alice, conversation=c_bob)
    assert services.conversation_unarchive(user=alice, conversation=c_bob) is True
    assert c_bob.pk in ids(alice)
    assert services.conversation_unarchive(user=alice, conversation=c_bob) is False


def test_filters_and_counts(seller):
    alice, bob, _carol, (c_bob, c_carol, c_buying), lamp = seller
    assert selectors.inbox_counts_for(user=alice) == {"all": 3, "unread": 3, "buying": 1, "selling": 2, "archived": 0}
    services.conversation_mark_read(user=alice, conversation=c_carol, seq=None)
    services.conversation_archive(user=alice, conversation=c_buying)
    assert selectors.inbox_counts_for(user=alice) == {"all": 2, "unread": 1, "buying": 0, "selling": 2, "archived": 1}
    assert ids(alice, filter="unread") == {c_bob.pk}
    assert ids(alice, filter="selling") == {c_bob.pk, c_carol.pk}
    assert ids(alice, filter="buying") == set()
    assert ids(alice, listing_id=lamp.pk) == {c_bob.pk, c_carol.pk}
    assert selectors.inbox_items_for(user=alice) == [(lamp.pk, 2)]
    with pytest.raises(Invalid):
        ids(alice, filter="spam")


def test_the_archive_event_carries_the_counts(seller):
    alice, _bob, _carol, (c_bob, _c_carol, _c_buying), _lamp = seller
    with capture_events(expected=1) as captured:
        services.conversation_archive(user=alice, conversation=c_bob)
    assert captured.events[0].data == {"conversation_id": c_bob.pk,
                                       "counts": {"all": 2, "unread": 2, "buying": 1, "selling": 1, "archived": 1}}
    with capture_events(expected=1) as captured:
        services.conversation_unarchive(user=alice, conversation=c_bob)
    assert captured.events[0].type == "conversation.unarchived" and captured.events[0].data["counts"]["archived"] == 0


def test_api_archive_unarchive_counts_and_404_for_a_stranger(seller):
    alice, _bob, carol, (c_bob, _c_carol, _c_buying), lamp = seller
    client = f.client_for(alice)
    r = client.post(f"/api/v1/conversations/{c_bob.pk}/archive")
    assert r.status_code == 200 and r.json()["archived"] is True and r.json()["counts"]["archived"] == 1
    r = client.get("/api/v1/conversations", {"filter": "archived"})
    assert [c["id"] for c in r.json()["conversations"]] == [c_bob.pk] and r.json()["conversations"][0]["archived"] is True
    r = client.get("/api/v1/conversations/counts")
    assert r.json()["counts"]["archived"] == 1 and r.json()["items"][0]["listing"]["title"] == "Lamp"
    r = client.post(f"/api/v1/conversations/{c_bob.pk}/unarchive")
    assert r.json()["archived"] is False
    assert f.client_for(carol).post(f"/api/v1/conversations/{c_bob.pk}/archive").status_code == 404
    assert client.get("/api/v1/conversations", {"filter": "nope"}).status_code == 422

"""Selectors on the real database: unread counts, inbox order, message pages, read marks."""

import pytest

from parley.conversations.services.send.sql import read_state
from parley.core.sql import run_checks

from parley.conversations import selectors, services
from tests import factories as f

pytestmark = pytest.mark.usefixtures("no_rate_limit")


def test_unread_counts_and_total(db):
    alice, bob, carol = f.user(), f.user(), f.user()
    c1 = f.conversation(buyer=bob, seller=alice)
    c2 = f.conversation(buyer=carol, seller=alice)
    for i in range(3):
        f.send(c1, bob, f"b{i}")
    for i in range(2):
        f.send(c2, carol, f"c{i}")
    assert selectors.unread_for(user_id=alice.pk, conversation_id=c1.pk) == 3
    assert selectors.unread_for(user_id=alice.pk, conversation_id=c2.pk) == 2
    assert selectors.unread_for(user_id=bob.pk, conversation_id=c1.pk) == 0
    assert selectors.unread_for(user_id=carol.pk, conversation_id=c1.pk) == 0, "not a participant"
    assert selectors.unread_total_for(user=alice) == 5
    assert selectors.unread_total_for(user=bob) == 0
    services.conversation_mark_read(user=alice, conversation=c1, seq=2)
    assert selectors.unread_total_for(user=alice) == 3
    f.send(c1, alice, "reply")  # replying reads everything before it
    assert selectors.unread_for(user_id=alice.pk, conversation_id=c1.pk) == 0
    assert selectors.unread_for(user_id=bob.pk, conversation_id=c1.pk) == 1
    assert selectors.unread_total_for(user=alice) == 2


def test_read_state_for_gives_marks_and_totals_in_one_query(db, django_assert_num_queries):
    alice, bob, carol = f.user(), f.user(), f.user()
    c1 = f.conversation(buyer=bob, seller=alice)
    c2 = f.conversation(buyer=carol, seller=alice)
    for i in range(3):
        f.send(c1, bob, f"b{i}")
    f.send(c2, carol, "c0")
    services.conversation_mark_read(user=alice, conversation=c1, seq=1)
    services.conversation_archive(user=carol, conversation=c2)
    with django_assert_num_queries(1):
        (read, archived, totals), = run_checks([read_state(conversation_ids=[c1.pk, c2.pk], user_ids=[alice.pk, bob.pk, carol.pk])])
    assert read == {(c1.pk, alice.pk): 1, (c1.pk, bob.pk): 3, (c2.pk, alice.pk): 0, (c2.pk, carol.pk): 1}
    assert archived == {(c1.pk, alice.pk): None, (c1.pk, bob.pk): None, (c2.pk, alice.pk): None, (c2.pk, carol.pk): 1}
    assert totals == {alice.pk: 3}  # bob and carol have nothing unread: no total kept
    assert all(type(k) is int for pair in read for k in pair) and all(type(v) is int for v in totals.values())
    assert totals[alice.pk] == selectors.unread_total_for(user=alice)


def test_unread_total_is_zero_without_conversations(db):
    assert selectors.unread_total_for(user=f.user()) == 0


def test_inbox_newest_activity_first(db):
    alice, bob, carol = f.user(), f.user(), f.user()
    c1 = f.conversation(buyer=bob, seller=alice)
    c2 = f.conversation(buyer=carol, seller=alice)
    c3 = f.conversation(buyer=bob, seller=alice)
    f.send(c1, bob, "1")
    f.send(c2, carol, "2")
    f.send(c3, bob, "3")
    assert [p.conversation_id for p in selectors.inbox_for(user=alice)] == [c3.pk, c2.pk, c1.pk]
    f.send(c1, alice, "bump")
    rows = selectors.inbox_for(user=alice)
    assert [p.conversation_id for p in rows] == [c1.pk, c3.pk, c2.pk]
    assert rows[0].conversation.last_message.body == "bump"
    assert [p.unread for p in rows] == [0, 1, 1]
    assert [p.conversation_id for p in selectors.inbox_for(user=alice, limit=2)] == [c1.pk, c3.pk]


def test_inbox_hides_empty_conversation_from_the_seller_only(db):
    alice, bob = f.user(), f.user()
    conv = f.conversation(buyer=bob, seller=alice)
    assert [p.conversation_id for p in selectors.inbox_for(user=bob)] == [conv.pk]
    assert selectors.inbox_for(user=alice) == []
    f.send(conv, bob, "hi")
    assert [p.conversation_id for p in selectors.inbox_for(user=alice)] == [conv.pk]


def test_inbox_is_only_the_users_own(db):
    alice, bob, carol = f.user(), f.user(), f.user()
    conv = f.conversation(buyer=bob, seller=alice)
    f.send(conv, bob)
    assert selectors.inbox_for(user=carol) == []


def test_messages_page_by_seq_cursor(db):
    alice, bob = f.user(), f.user()
    conv = f.conversation(buyer=bob, seller=alice)
    for i in range(7):
        f.send(conv, bob if i % 2 else alice, f"m{i + 1}")
    page, more = selectors.messages_page(conversation=conv, limit=3)
    assert [m.seq for m in page] == [5, 6, 7] and more is True
    assert [m.body for m in page] == ["m5", "m6", "m7"], "oldest first within a page"
    page, more = selectors.messages_page(conversation=conv, before_seq=5, limit=3)
    assert [m.seq for m in page] == [2, 3, 4] and more is True
    page, more = selectors.messages_page(conversation=conv, before_seq=2, limit=3)
    assert [m.seq for m in page] == [1] and more is False
    page, more = selectors.messages_page(conversation=conv, before_seq=1, limit=3)
    assert page == [] and more is False
    page, more = selectors.messages_page(conversation=conv, limit=7)
    assert [m.seq for m in page] == list(range(1, 8)) and more is False


def test_messages_page_is_capped_and_scoped(db):
    alice, bob = f.user(), f.user()
    conv = f.conversation(buyer=bob, seller=alice)
    other = f.conversation(buyer=bob, seller=alice)
    for i in range(3):
        f.send(other, bob, f"other {i}")
    f.send(conv, bob, "mine")
    page, more = selectors.messages_page(conversation=conv, limit=1000)
    assert [m.body for m in page] == ["mine"] and more is False


def test_read_marks_for(db):
    alice, bob = f.user(), f.user()
    conv = f.conversation(buyer=bob, seller=alice)
    for i in range(4):
        f.send(conv, bob, str(i))
    services.conversation_mark_read(user=alice, conversation=conv, seq=2)
    assert selectors.read_marks_for(conversation=conv) == {alice.pk: 2, bob.pk: 4}


def test_conversation_for_listing(db):
    alice, bob, carol = f.user(), f.user(), f.user()
    item = f.listing(seller=alice)
    assert selectors.conversation_for_listing(buyer=bob, listing=item) is None
    conv = f.conversation(buyer=bob, listing_obj=item)
    assert selectors.conversation_for_listing(buyer=bob, listing=item).pk == conv.pk
    assert selectors.conversation_for_listing(buyer=carol, listing=item) is None

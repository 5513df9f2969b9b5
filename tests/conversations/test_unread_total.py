"""The unread total kept per user (models.UnreadTotal) is always the sum it replaces:
`last_seq - last_read_seq` over the user's conversations, whatever moved it."""

import uuid
from importlib import import_module

from django.apps import apps
from django.db.models import F, Sum

from parley.conversations import selectors, services
from parley.conversations.models import Participant, UnreadTotal
from parley.conversations.services import SendRequest, send_batch
from tests import factories as f


def recount(users) -> dict[int, int]:
    rows = (Participant.objects.filter(user__in=users).values("user_id")
            .annotate(total=Sum(F("conversation__last_seq") - F("last_read_seq"))).values_list("user_id", "total"))
    counted = dict(rows)
    return {u.pk: counted.get(u.pk) or 0 for u in users}


def kept(users) -> dict[int, int]:
    return {u.pk: selectors.unread_total_for(user=u) for u in users}


def test_the_total_follows_sends_batches_reads_unreads_and_deletions(db):
    seller, bob, carol, dan = f.user(), f.user(), f.user(), f.user()
    people = [seller, bob, carol, dan]
    c_bob = f.conversation(buyer=bob, seller=seller)
    c_carol = f.conversation(buyer=carol, seller=seller)
    c_dan = f.conversation(buyer=dan, seller=seller)
    assert kept(people) == recount(people) == {u.pk: 0 for u in people}

    for conv, buyer in ((c_bob, bob), (c_carol, carol), (c_dan, dan), (c_bob, bob)):
        f.send(conv, buyer, "Is it still available?")
    assert kept(people) == recount(people) and kept([seller]) == {seller.pk: 4}

    # One batch: the seller answers bob (reading what came before), carol writes twice, dan once.
    send_batch([SendRequest(seller, c_bob.pk, "Yes", str(uuid.uuid4())),
                SendRequest(carol, c_carol.pk, "Great", str(uuid.uuid4())),
                SendRequest(carol, c_carol.pk, "When?", str(uuid.uuid4())),
                SendRequest(dan, c_dan.pk, "Hello?", str(uuid.uuid4()))])
    assert kept(people) == recount(people) == {seller.pk: 5, bob.pk: 1, carol.pk: 0, dan.pk: 0}

    services.conversation_mark_read(user=seller, conversation=c_carol, seq=2)  # 1 of carol's 3 left
    assert kept(people) == recount(people) and kept([seller]) == {seller.pk: 3}
    services.conversation_mark_read(user=seller, conversation=c_carol, seq=1)  # never backwards: nothing moves
    services.conversation_mark_read(user=bob, conversation=c_bob)
    services.conversation_mark_unread(user=bob, conversation=c_bob)  # the seller's "Yes" unread again
    services.conversation_archive(user=seller, conversation=c_dan)  # archived still counts, as before
    assert kept(people) == recount(people)

    c_dan.listing.delete()  # the listing goes, and its conversation with it
    assert kept(people) == recount(people) and kept([seller]) == {seller.pk: 1}
    carol.delete()  # an account goes, and its conversations with it
    assert kept([seller, bob, dan]) == recount([seller, bob, dan]) == {seller.pk: 0, bob.pk: 1, dan.pk: 0}
    assert not UnreadTotal.objects.filter(user_id=carol.pk).exists()


def test_the_migration_counts_what_is_unread_from_the_marks(db):
    seller, bob, carol = f.user(), f.user(), f.user()
    c_bob, c_carol = f.conversation(buyer=bob, seller=seller), f.conversation(buyer=carol, seller=seller)
    f.send(c_bob, bob, "one")
    f.send(c_bob, bob, "two")
    f.send(c_carol, carol, "one")
    f.send(c_carol, seller, "two")  # replying reads carol's
    f.send(c_carol, seller, "three")
    expected = kept([seller, bob, carol])
    assert expected == {seller.pk: 2, bob.pk: 0, carol.pk: 2}
    UnreadTotal.objects.all().delete()
    import_module("parley.conversations.migrations.0011_unreadtotal").count_what_is_unread(apps, None)
    assert kept([seller, bob, carol]) == expected


def test_deleting_a_listing_costs_one_statement_per_participation_and_none_when_read(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seller, bob, carol = f.user(), f.user(), f.user()
    listing = f.listing(seller=seller)
    c_bob = f.conversation(buyer=bob, seller=seller, listing_obj=listing)
    c_carol = f.conversation(buyer=carol, seller=seller, listing_obj=listing)
    f.send(c_bob, bob, "Still there?")
    f.send(c_carol, carol, "Hello")
    f.send(c_carol, seller, "Hi")  # the seller read carol's; carol has one unread
    people = [seller, bob, carol]
    assert kept(people) == recount(people) == {seller.pk: 1, bob.pk: 0, carol.pk: 1}

    with CaptureQueriesContext(connection) as queries:
        listing.delete()
    sqls = [q["sql"] for q in queries.captured_queries]
    moves = [sql for sql in sqls if UnreadTotal._meta.db_table in sql]
    assert len(moves) == 4, "one statement per participation"
    by_id = [sql for sql in sqls if "last_seq" in sql and "LIMIT 1" in sql]
    assert not by_id, f"no read of a conversation's last_seq before each: {by_id}"
    assert kept(people) == {seller.pk: 0, bob.pk: 0, carol.pk: 0}
    assert list(UnreadTotal.objects.filter(user_id=bob.pk).values_list("total", flat=True)) in ([], [0]), (
        "bob had nothing unread: nothing taken off his total")


def test_an_account_with_unread_messages_can_be_deleted(db):
    seller, bob = f.user(), f.user()
    conv = f.conversation(buyer=bob, seller=seller)
    f.send(conv, bob, "Hi")
    f.send(conv, seller, "Hello")  # bob has one unread, the seller none
    assert kept([seller, bob]) == {seller.pk: 0, bob.pk: 1}
    bob.delete()  # his participation's pre_delete moves his own total, then the total goes with him
    assert not UnreadTotal.objects.filter(user_id=bob.pk).exists()
    assert kept([seller]) == recount([seller]) == {seller.pk: 0}

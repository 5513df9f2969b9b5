"""Two accepts of two offers on one item at the same moment end with exactly one accepted
offer and the item reserved: real concurrent transactions, in two OS processes and in two
threads, on the run's database (SQLite in WAL mode by default; PostgreSQL with DATABASE_URL,
where the listing row lock, SELECT … FOR UPDATE, is what serialises them)."""

import multiprocessing
import threading

import pytest
from django.db import connection

from parley.core.errors import AppError
from parley.deals import services
from parley.deals.models import ListingChange, Offer

from .helpers import bike_with_buyers, status

pytestmark = pytest.mark.django_db(transaction=True)


def _two_offers_countered():
    """bob and carol offer on alice's bike; alice counters both, so each buyer accepts their own."""
    alice, bike, b = bike_with_buyers("bob", "carol")
    offers = []
    for name in ("bob", "carol"):
        user, conv = b[name]
        offer = services.offer_make(buyer=user, conversation=conv, amount="300")
        offers.append((user.pk, services.offer_respond(user=alice, offer=offer, action="counter", amount="330").pk))
    return bike, offers


def _accept(user_id: int, offer_id: int, wait) -> str:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user_id)
    offer = Offer.objects.get(pk=offer_id)
    wait()
    try:
        services.offer_respond(user=user, offer=offer, action="accept")
        return "accepted"
    except AppError as exc:
        return exc.code
    finally:
        connection.close()


def _check(bike, results):
    assert sorted(results) == ["accepted", "offer_closed"], results
    assert Offer.objects.filter(state="accepted").count() == 1
    assert Offer.objects.filter(state="declined", reason="reserved").count() == 1
    assert status(bike) == "reserved"
    assert ListingChange.objects.filter(kind="status", new="reserved").count() == 1


def test_two_accepts_in_two_threads_end_with_one():
    bike, offers = _two_offers_countered()
    barrier = threading.Barrier(2, timeout=30)
    results = [None, None]

    def run(i):
        results[i] = _accept(*offers[i], barrier.wait)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    _check(bike, results)


def _child(user_id, offer_id, barrier, out):
    # The parent closed its connection before forking: the child opens its own.
    out.put(_accept(user_id, offer_id, lambda: barrier.wait(30)))


def test_two_accepts_in_two_processes_end_with_one():
    bike, offers = _two_offers_countered()
    connection.close()  # the children open their own connections to the same database
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_child, args=(*offers[i], barrier, out)) for i in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    _check(bike, results)

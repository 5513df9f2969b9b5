"""Hypothesis drives random sequences of deal actions (offers, counters, accepts, declines,
withdrawals, expiry, status changes) by random people, legal or not, and checks after every
step that no illegal state is reached and that every refused action changed nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from parley.core.errors import AppError
from parley.deals import services
from parley.deals.models import Offer
from parley.marketplace.models import Listing
from tests import factories as f

AMOUNTS = st.sampled_from(["300", "299.99", "1", "-5", "0", "12.345", "abc", "1000000000", "350.00", "120"])
TERMINAL = {"accepted", "declined", "withdrawn", "expired"}


class Deals(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.seller = f.user()
        self.listing = f.listing(seller=self.seller, price="350.00")
        self.buyers = [f.user() for _ in range(3)]
        self.convs = [f.conversation(buyer=b, listing_obj=self.listing) for b in self.buyers]
        self.people = [self.seller, *self.buyers]
        self.closed: dict[int, tuple] = {}  # offer id -> its row when it reached a final state
        self.clock = timezone.now()

    def _offers(self):
        """This example's offers (the examples share the test's database)."""
        return Offer.objects.filter(listing_id=self.listing.pk)

    def _snapshot(self):
        return (list(self._offers().order_by("pk").values()), Listing.objects.filter(pk=self.listing.pk).values()[0])

    def _try(self, fn):
        before = self._snapshot()
        try:
            fn()
        except AppError as exc:
            assert exc.code and str(exc.message)
            assert self._snapshot() == before, f"refused ({exc.code}) but something changed"

    @rule(who=st.integers(0, 3), conv=st.integers(0, 2), amount=AMOUNTS)
    def make(self, who, conv, amount):
        self._try(lambda: services.offer_make(buyer=self.people[who], conversation=self.convs[conv], amount=amount))

    @rule(who=st.integers(0, 3), pick=st.integers(0, 20), action=st.sampled_from(["accept", "decline", "counter", "withdraw"]),
          amount=AMOUNTS)
    def respond(self, who, pick, action, amount):
        offers = list(self._offers().order_by("pk"))
        if not offers:
            return
        offer = offers[pick % len(offers)]
        user = self.people[who]
        if user.pk not in (offer.buyer_id, offer.seller_id):
            return  # access (deals.access.offer_for) stops strangers before the service
        was_available = Listing.objects.get(pk=self.listing.pk).status == "available"
        self._try(lambda: services.offer_respond(user=user, offer=offer, action=action, amount=amount))
        offer.refresh_from_db()
        if action == "accept" and offer.state == "accepted" and offer.pk not in self.closed:
            assert was_available
            assert Listing.objects.get(pk=self.listing.pk).status == "reserved"

    @rule(who=st.integers(0, 3), status=st.sampled_from(["available", "reserved", "sold"]))
    def set_status(self, who, status):
        self._try(lambda: services.listing_status_set(user=self.people[who], listing=self.listing, status=status))

    @rule(hours=st.integers(1, 60))
    def time_passes(self, hours):
        self.clock += timedelta(hours=hours)
        services.offers_expire(now=self.clock)
        self._offers().filter(state="pending").update(expires_at=self.clock + timedelta(hours=48))  # the clock moved for them too

    @invariant()
    def no_illegal_state(self):
        status = Listing.objects.get(pk=self.listing.pk).status
        offers = list(self._offers())
        pending = [o for o in offers if o.state == "pending"]
        if status != "available":
            assert not pending, "a pending offer on an item that is not available"
        assert len({o.conversation_id for o in pending}) == len(pending), "two pending offers in one thread"
        for o in offers:
            assert Decimal("0") < o.amount <= Decimal("1000000") and o.amount == o.amount.quantize(Decimal("0.01"))
            assert o.awaiting in ("buyer", "seller")
            row = (o.state, o.amount, o.reason)
            if o.pk in self.closed:
                assert self.closed[o.pk] == row, "a final offer moved again"
            elif o.state in TERMINAL:
                self.closed[o.pk] = row
        if status == "reserved" and any(o.state == "accepted" for o in offers):
            latest = max((o for o in offers if o.state == "accepted"), key=lambda o: o.updated_at)
            assert not [o for o in pending if o.updated_at < latest.updated_at]


@pytest.mark.django_db
def test_random_action_sequences_never_reach_an_illegal_state():
    run_state_machine_as_test(Deals, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    ))

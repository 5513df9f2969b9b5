"""Live-only signals: to every socket of the users named, in every process, never stored.

Each broker runs here for real: the memory broker in one "process" (one hub), Redis
across two (two RedisBroker instances, each with its own hub, on a channel prefix of this
test's own).
"""

import asyncio
import uuid

import orjson
import pytest

from parley.core.errors import RateLimited
from parley.stream.broker import MemoryBroker, get_broker
from parley.stream.broker.redis import RedisBroker
from parley.stream.hub import Hub
from parley.stream.models import StreamEvent, UserStream
from parley.stream.signals import signal
from tests import factories as f
from tests.support.asgi import until
from tests.support.services import REDIS_URL


class Socket:
    """An open connection as the hub sees one; it records what is pushed to it."""

    def __init__(self, user_id: int):
        self.user_id, self.session_key = user_id, "s"
        self.pushed: list[tuple[int, dict]] = []

    def push(self, frame: str, seq: int = 0) -> None:
        self.pushed.append((seq, orjson.loads(frame)))

    def close_soon(self, code: int, reason: str) -> None:
        raise AssertionError("not expected here")


@pytest.fixture(params=["memory", "redis"])
def brokers(request, settings):
    """(the broker signal() publishes through, the broker of a second process or None)."""
    settings.PARLEY_BROKER = request.param
    if request.param == "redis":
        request.getfixturevalue("require_redis")
        settings.REDIS_URL = REDIS_URL
        settings.PARLEY_REDIS_PREFIX = f"test-{uuid.uuid4().hex[:12]}"
    get_broker.cache_clear()
    first = get_broker()
    second = RedisBroker(REDIS_URL, prefix=settings.PARLEY_REDIS_PREFIX) if request.param == "redis" else None
    assert isinstance(first, RedisBroker if second else MemoryBroker)
    yield first, second
    get_broker.cache_clear()


def test_a_signal_reaches_every_socket_of_its_users_in_every_process(db, brokers, rate_clock, settings):
    settings.PARLEY_SIGNAL_RATE = "2/10"
    first, second = brokers
    alice, bob, carol = f.user(), f.user(), f.user()
    stored, heads = StreamEvent.objects.count(), list(UserStream.objects.values_list("user_id", "last_seq"))

    async def go():
        hub_a = Hub()
        hub_b = Hub() if second else hub_a  # one process with the memory broker
        await first.start(hub_a.deliver, hub_a.control)
        if second:
            await second.start(hub_b.deliver, hub_b.control)
        try:
            alice_a, alice_b, bob_b, carol_a = Socket(alice.pk), Socket(alice.pk), Socket(bob.pk), Socket(carol.pk)
            for hub, sock in ((hub_a, alice_a), (hub_b, alice_b), (hub_b, bob_b), (hub_a, carol_a)):
                hub.add(sock)
            polls = [hub_b.waiter(bob.pk), hub_a.waiter(alice.pk)]
            # From a handler's thread, as a sync frame handler would call it.
            await asyncio.to_thread(signal, [alice.pk, bob.pk], "typing", {"conversation_id": 7}, sender_id=carol.pk)
            expected = (0, {"type": "signal", "signal": "typing", "data": {"conversation_id": 7}})
            await until(lambda: alice_a.pushed and alice_b.pushed and bob_b.pushed, what="the signal everywhere")
            # And from the event loop itself, as an async handler would.
            signal([carol.pk], "presence", {"online": True}, sender_id=alice.pk)
            await until(lambda: carol_a.pushed, what="the second signal")
            await asyncio.sleep(0.05)  # anything else in flight would land now
            assert alice_a.pushed == alice_b.pushed == bob_b.pushed == [expected], "once per socket, seq 0"
            assert carol_a.pushed == [(0, {"type": "signal", "signal": "presence", "data": {"online": True}})]
            assert not any(p.done() for p in polls), "a signal wakes no long-poll"
            # Rate-limited per sender (2 per 10 s here): carol has one left, alice too.
            await asyncio.to_thread(signal, [bob.pk], "typing", {}, sender_id=carol.pk)
            with pytest.raises(RateLimited) as exc:
                await asyncio.to_thread(signal, [bob.pk], "typing", {}, sender_id=carol.pk)
            assert exc.value.details["retry_after"] == 10
            await asyncio.to_thread(signal, [bob.pk], "typing", {"n": 2}, sender_id=alice.pk)
            rate_clock.advance(10)
            await asyncio.to_thread(signal, [bob.pk], "typing", {"n": 3}, sender_id=carol.pk)
            await until(lambda: len(bob_b.pushed) == 4, what="the allowed signals")
            assert [fr["data"] for _, fr in bob_b.pushed] == [{"conversation_id": 7}, {}, {"n": 2}, {"n": 3}]
            for p in polls:
                p.cancel()
        finally:
            await first.stop()
            if second:
                await second.stop()

    asyncio.run(asyncio.wait_for(go(), 30))
    assert StreamEvent.objects.count() == stored, "signals are never stored"
    assert list(UserStream.objects.values_list("user_id", "last_seq")) == heads, "and move no cursor"

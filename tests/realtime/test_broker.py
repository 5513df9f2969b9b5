"""One contract for every broker (GUIDE.md §3 rule 11), run against memory and Redis."""

import asyncio
import logging
import threading
import time
import uuid

import pytest

from parley.stream.broker import MemoryBroker
from parley.stream.broker.redis import RedisBroker, backoff_delay
from tests.support.redis_proc import RedisProcess, redis_server_missing
from tests.support.services import REDIS_URL, need


async def until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.01)
    return predicate()


class Recorder:
    def __init__(self):
        self.frames: list[tuple[int, str]] = []
        self.seqs: list[int] = []
        self.controls: list[tuple[int, dict]] = []
        self.threads: set[int] = set()

    def deliver(self, user_id, seq, frame):
        self.threads.add(threading.get_ident())
        self.frames.append((user_id, frame))
        self.seqs.append(seq)

    def control(self, user_id, message):
        self.controls.append((user_id, message))


class BrokerContract:
    """Behaviour every broker keeps. Subclasses provide `make_broker()`."""

    def make_broker(self):
        raise NotImplementedError

    def run(self, coro):
        return asyncio.run(asyncio.wait_for(coro, 30))

    def test_publish_from_the_loop_reaches_deliver(self):
        async def go():
            broker, rec = self.make_broker(), Recorder()
            await broker.start(rec.deliver, rec.control)
            try:
                broker.publish_many([(7, 1, '{"n":1}')])
                assert await until(lambda: rec.frames == [(7, '{"n":1}')])
                assert broker.healthy()
            finally:
                await broker.stop()

        self.run(go())

    def test_publish_from_threads_is_delivered_on_the_loop_in_order(self):
        async def go():
            broker, rec = self.make_broker(), Recorder()
            await broker.start(rec.deliver, rec.control)
            loop_thread = threading.get_ident()
            try:
                def worker():
                    for i in range(200):
                        broker.publish_many([(3, 1, f'{{"n":{i}}}')])

                started = time.monotonic()
                await asyncio.to_thread(worker)
                assert time.monotonic() - started < 2, "publish must not wait on the broker"
                assert await until(lambda: len(rec.frames) >= 200)
                assert rec.frames == [(3, f'{{"n":{i}}}') for i in range(200)]
                assert rec.threads == {loop_thread}
            finally:
                await broker.stop()

        self.run(go())

    def test_control_messages_reach_control(self):
        async def go():
            broker, rec = self.make_broker(), Recorder()
            await broker.start(rec.deliver, rec.control)
            try:
                await asyncio.to_thread(broker.publish_control, 5, {"type": "logout", "session_key": "k"})
                assert await until(lambda: rec.controls == [(5, {"type": "logout", "session_key": "k"})])
                assert rec.frames == []
            finally:
                await broker.stop()

        self.run(go())

    def test_publish_without_a_started_broker_does_not_raise(self):
        self.make_broker().publish_many([(1, 1, "{}")])

    def test_stop_then_publish_is_harmless(self):
        async def go():
            broker, rec = self.make_broker(), Recorder()
            await broker.start(rec.deliver, rec.control)
            await broker.stop()
            broker.publish_many([(1, 1, "{}")])

        self.run(go())


class TestMemoryBroker(BrokerContract):
    def make_broker(self):
        return MemoryBroker()


@pytest.mark.redis
@pytest.mark.usefixtures("require_redis")
class TestRedisBroker(BrokerContract):
    def make_broker(self):
        # A unique prefix: the shared Redis carries other test runs' channels too.
        return RedisBroker(REDIS_URL, prefix=f"parley-test-{uuid.uuid4().hex[:8]}")

    def test_two_processes_share_one_bus(self):
        async def go():
            prefix = f"parley-test-{uuid.uuid4().hex[:8]}"
            a, b = RedisBroker(REDIS_URL, prefix=prefix), RedisBroker(REDIS_URL, prefix=prefix)
            ra, rb = Recorder(), Recorder()
            await a.start(ra.deliver, ra.control)
            await b.start(rb.deliver, rb.control)
            try:
                for i in range(100):
                    a.publish_many([(i % 3, 1, str(i))])
                assert await until(lambda: len(rb.frames) == 100 and len(ra.frames) == 100)
                assert rb.frames == [(i % 3, str(i)) for i in range(100)]
                assert rb.frames == ra.frames
            finally:
                await a.stop()
                await b.stop()

        self.run(go())


def test_backoff_grows_and_is_capped():
    for attempt in range(30):
        delay = backoff_delay(attempt)
        assert 0 <= delay <= 5.0
    assert max(backoff_delay(1) for _ in range(200)) <= 0.2 + 1e-9


@pytest.fixture
def private_redis():
    need(redis_server_missing())
    server = RedisProcess().start()
    yield server
    server.stop()


@pytest.mark.redis
def test_redis_outage_publish_succeeds_logs_once_and_recovers(private_redis, caplog):
    """Redis down: publish never raises, health says down, one log line each way, hint on return."""
    caplog.set_level(logging.WARNING, logger="parley.broker")
    hints = []

    async def go():
        broker, rec = RedisBroker(private_redis.url, on_resubscribe=lambda: hints.append(1)), Recorder()
        await broker.start(rec.deliver, rec.control)
        try:
            assert broker.healthy()
            broker.publish_many([(1, 1, "before")])
            assert await until(lambda: rec.frames == [(1, "before")])

            await asyncio.to_thread(private_redis.stop)
            assert await until(lambda: not broker.healthy(), 10)
            started = time.monotonic()
            for i in range(300):
                await asyncio.to_thread(broker.publish_many, [(1, 1, f"lost {i}")])
            assert time.monotonic() - started < 5
            await asyncio.sleep(1.5)  # several subscriber retries and publish failures

            await asyncio.to_thread(private_redis.start)
            assert await until(broker.healthy, 15), "the subscriber must come back by itself"
            assert hints == [1], "local sockets are told to sync once, after the resubscription"
            broker.publish_many([(1, 1, "after")])
            assert await until(lambda: rec.frames[-1:] == [(1, "after")], 10)
        finally:
            await broker.stop()

    asyncio.run(asyncio.wait_for(go(), 60))
    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    recoveries = [r for r in caplog.records if "recovered" in r.getMessage()]
    assert 1 <= len(failures) <= 2, [r.getMessage() for r in failures]  # subscription, maybe publish
    assert 1 <= len(recoveries) <= 2, [r.getMessage() for r in recoveries]


@pytest.mark.redis
def test_no_server_loop_publishes_synchronously(private_redis):
    """A task worker or a command has no server loop: publish still rings the doorbell."""
    async def go():
        listener, rec = RedisBroker(private_redis.url), Recorder()
        await listener.start(rec.deliver, rec.control)
        try:
            other = RedisBroker(private_redis.url)
            await asyncio.to_thread(other.publish_many, [(9, 1, "from a worker")])
            assert await until(lambda: rec.frames == [(9, "from a worker")])
            assert await asyncio.to_thread(other.healthy)
        finally:
            await listener.stop()

    asyncio.run(asyncio.wait_for(go(), 30))


def _publish_many_contract(broker_factory):
    async def go():
        broker, rec = broker_factory(), Recorder()
        await broker.start(rec.deliver, rec.control)
        try:
            frames = [(i % 2, i + 1, str(i)) for i in range(50)]
            await asyncio.to_thread(broker.publish_many, frames)
            assert await until(lambda: len(rec.frames) >= 50)
            assert rec.frames == [(uid, frame) for uid, _seq, frame in frames]
            assert rec.seqs == [seq for _uid, seq, _frame in frames], "the seq travels with the frame"
        finally:
            await broker.stop()

    asyncio.run(asyncio.wait_for(go(), 30))


def test_memory_publish_many_keeps_order():
    _publish_many_contract(MemoryBroker)


@pytest.mark.redis
def test_redis_publish_many_keeps_order(require_redis):
    _publish_many_contract(lambda: RedisBroker(REDIS_URL, prefix=f"parley-test-{uuid.uuid4().hex[:8]}"))

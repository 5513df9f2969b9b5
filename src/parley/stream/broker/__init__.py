"""The broker: MemoryBroker in one process, RedisBroker across many (PARLEY_BROKER)."""

from functools import lru_cache

from parley.conf import settings

from .base import Broker, Control, Deliver, MemoryBroker

__all__ = ["Broker", "Control", "Deliver", "MemoryBroker", "get_broker", "ring_doorbells"]


@lru_cache(maxsize=1)
def get_broker() -> Broker:
    """Return this process's broker, chosen by settings.PARLEY_BROKER."""
    kind = settings.PARLEY_BROKER
    if kind == "memory":
        return MemoryBroker()
    if kind == "redis":
        from .redis import RedisBroker

        return RedisBroker(settings.REDIS_URL, prefix=settings.PARLEY_REDIS_PREFIX)
    raise ValueError(f"PARLEY_BROKER is {kind!r}; use 'memory' or 'redis' (set REDIS_URL for redis).")


def ring_doorbells(events) -> None:
    """The doorbell sink: ring each recipient once per event, whatever its number of sockets."""
    get_broker().publish_many([(e.user_id, e.seq, e.frame()) for e in events])

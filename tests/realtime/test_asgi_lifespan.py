"""The ASGI lifespan: it tunes the GIL switch interval and starts and stops the broker."""

import asyncio
import sys

import pytest

from parley.realtime.asgi import lifespan
from parley.realtime.broker import MemoryBroker, get_broker


@pytest.fixture
def restore_switch_interval():
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


def _run_lifespan() -> list[str]:
    sent = []

    async def run():
        inbox = asyncio.Queue()
        for kind in ("lifespan.startup", "lifespan.shutdown"):
            inbox.put_nowait({"type": kind})

        async def send(message):
            sent.append(message["type"])

        await lifespan({"type": "lifespan"}, inbox.get, send)

    asyncio.run(run())
    return sent


@pytest.mark.parametrize("configured, expected", [(0.002, 0.002), (None, 0.004)])
def test_startup_sets_the_switch_interval_unless_disabled(settings, restore_switch_interval, configured, expected):
    sys.setswitchinterval(0.004)
    settings.PARLEY_GIL_SWITCH_INTERVAL = configured
    assert isinstance(get_broker(), MemoryBroker)
    assert _run_lifespan() == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert sys.getswitchinterval() == pytest.approx(expected)

"""The ASGI lifespan: it tunes the GIL switch interval and the garbage collector, and starts and stops the broker."""

import asyncio
import gc
import sys

import pytest

from parley.realtime.asgi import lifespan


@pytest.fixture
def restore_runtime():
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    yield
    sys.setswitchinterval(interval)
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def _run_lifespan(tune: bool = True) -> list[str]:
    sent = []

    async def run():
        inbox = asyncio.Queue()
        for kind in ("lifespan.startup", "lifespan.shutdown"):
            inbox.put_nowait({"type": kind})

        async def send(message):
            sent.append(message["type"])

        await lifespan({"type": "lifespan"}, inbox.get, send, tune=tune)

    asyncio.run(run())
    return sent


@pytest.mark.parametrize("configured, expected", [(0.002, 0.002), (None, 0.004)])
def test_startup_sets_the_switch_interval_unless_disabled(settings, restore_runtime, configured, expected):
    sys.setswitchinterval(0.004)
    settings.PARLEY_GIL_SWITCH_INTERVAL = configured
    assert _run_lifespan() == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert sys.getswitchinterval() == pytest.approx(expected)


def test_startup_freezes_what_is_loaded_and_raises_the_gc_thresholds(settings, restore_runtime):
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    settings.PARLEY_GC_THRESHOLDS = (50_000, 20, 100)
    _run_lifespan()
    assert gc.get_threshold() == (50_000, 20, 100)
    assert gc.get_freeze_count() > 1000  # the modules and settings loaded so far


def test_gc_tuning_can_be_turned_off(settings, restore_runtime):
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    settings.PARLEY_GC_THRESHOLDS = None
    _run_lifespan()
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_a_host_that_does_not_opt_in_keeps_its_runtime(settings, restore_runtime):
    """parley_asgi(app) in a host project leaves the process's GIL and GC settings alone."""
    gc.unfreeze()
    sys.setswitchinterval(0.004)
    gc.set_threshold(700, 10, 10)
    settings.PARLEY_GIL_SWITCH_INTERVAL = 0.001
    settings.PARLEY_GC_THRESHOLDS = (50_000, 20, 100)
    assert _run_lifespan(tune=False) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert sys.getswitchinterval() == pytest.approx(0.004)
    assert gc.get_threshold() == (700, 10, 10) and gc.get_freeze_count() == 0

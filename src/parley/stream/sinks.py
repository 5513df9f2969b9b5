"""Work after commit: `stream_append` hands the committed events to every registered sink.

The broker's doorbell is one sink; notifications and webhooks register theirs. A sink
that fails is logged and never blocks the commit, the doorbell or the other sinks.
"""

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .append import Event

logger = logging.getLogger("parley.stream")

Sink = Callable[[list["Event"]], None]

_sinks: dict[str, Sink] = {}


def register_sink(name: str, sink: Sink) -> None:
    """Register (or replace) the sink called `name`; sinks run in registration order."""
    _sinks[name] = sink


def unregister_sink(name: str) -> None:
    _sinks.pop(name, None)


def dispatch(events: list["Event"]) -> None:
    """Hand committed events to every sink; a failing sink is logged and skipped."""
    for name, sink in tuple(_sinks.items()):
        try:
            sink(events)
        except Exception:
            logger.exception("stream sink %r failed on %d events; the others still ran", name, len(events))

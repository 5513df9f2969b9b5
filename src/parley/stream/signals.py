"""Live-only signals (typing, presence): pushed to open sockets, never stored, no seq."""

from collections.abc import Iterable

from parley.conf import settings
from parley.core.ratelimit import rate_limit_many

from .append import encode
from .broker import get_broker


def signal(user_ids: Iterable[int], type: str, data: dict, *, sender_id: int | None = None) -> None:
    """Push `{"type": "signal", "signal": type, "data": data}` to every socket of these users.

    Delivered in every process through the broker, at most once: a signal that is lost
    stays lost (nothing is stored, so nothing is replayed by `sync`). With `sender_id`, the
    sender is rate-limited (PARLEY_SIGNAL_RATE) and RateLimited is raised past it.
    """
    if sender_id is not None:
        (refused,) = rate_limit_many([f"signal:{sender_id}"], rate=settings.PARLEY_SIGNAL_RATE)
        if refused is not None:
            raise refused
    frame = encode({"type": "signal", "signal": type, "data": data})
    get_broker().publish_many([(uid, 0, frame) for uid in dict.fromkeys(user_ids)])

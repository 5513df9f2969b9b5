"""The notifications app's frame (docs/protocol.md): `visibility`.

A tab says when it becomes visible or hidden (and, while visible, again every 20 s): push
waits while a Parley tab is visible. A thin adapter: the schema parses, one service call.
"""

import threading
import time
from typing import Literal

from pydantic import StrictBool

from parley.core.frames import FrameIn, frames

from .schemas import VisibilityAck
from .services import push

# Per process: when this user's row was last written as visible, so a tab repeating
# "visible" every 20 s costs no database write until the row needs refreshing.
_written: dict[int, float] = {}
_lock = threading.Lock()
REWRITE_AFTER = (push.VISIBLE_FOR - push.VISIBLE_REFRESH).total_seconds()


class VisibilityIn(FrameIn):
    type: Literal["visibility"]
    visible: StrictBool


@frames.frame(VisibilityIn, reply=VisibilityAck, rate="PARLEY_SIGNAL_RATE")
def visibility(user, data: VisibilityIn) -> dict:
    now = time.monotonic()
    with _lock:
        fresh = data.visible and now - _written.get(user.pk, -1e9) < REWRITE_AFTER
        if data.visible and not fresh:
            if len(_written) > 50_000:
                _written.clear()
            _written[user.pk] = now
        elif not data.visible:
            _written.pop(user.pk, None)
    if not fresh:
        push.visibility_report(user_id=user.pk, visible=data.visible)
    return {"type": "ack", "visible": data.visible}

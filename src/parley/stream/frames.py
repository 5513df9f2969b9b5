"""The stream's frames: catch up from a cursor (`sync`), and an application-level `ping`."""

from typing import Literal

from pydantic import StrictInt

from parley.core.frames import FrameIn, frames

from .read import stream_since


class SyncIn(FrameIn):
    type: Literal["sync"]
    since: StrictInt = 0


class PingIn(FrameIn):
    type: Literal["ping"]


@frames.frame(SyncIn)
def sync(user, data: SyncIn) -> dict:
    found, head, resync = stream_since(user=user, since=data.since)
    if resync:
        return {"type": "resync_required", "cursor": head}
    return {
        "type": "sync",
        "since": data.since,
        "events": [e.as_dict() for e in found],
        "cursor": found[-1].seq if found else data.since,
        "head": head,
    }


@frames.frame(PingIn)
async def ping(user, data: PingIn) -> dict:
    return {"type": "pong"}

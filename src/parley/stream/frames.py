"""The stream's frames: catch up from a cursor (`sync`), an application-level `ping`, and
the frames the server sends on its own (`ready`, `event`, `signal`, `sync_hint`)."""

from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt

from parley.core.active import require_active
from parley.core.frames import FrameIn, FrameOut, ReplyOut, frames

from .read import stream_since
from .schemas import StreamEventOut


class SyncIn(FrameIn):
    type: Literal["sync"]
    since: Annotated[StrictInt, Field(ge=-(2**63), le=2**63 - 1)] = Field(
        0, description="The client's cursor: the last seq it applied (outside the stream: resync_required).")


class PingIn(FrameIn):
    type: Literal["ping"]


class SyncOut(ReplyOut):
    """Up to 500 events after `since`, oldest first; ask again from `cursor` while it is below `head`."""

    type: Literal["sync"]
    since: int
    events: list[StreamEventOut]
    cursor: int = Field(description="The seq of the last event returned (`since` when none).")
    head: int = Field(description="The seq of the user's latest event.")


class ResyncRequiredOut(ReplyOut):
    """`since` fell out of the retained stream (or is ahead of its head): reload state."""

    type: Literal["resync_required"]
    cursor: int = Field(description="The head of the stream: continue from here after reloading.")


class PongOut(ReplyOut):
    type: Literal["pong"]


@frames.server_frame
class ReadyOut(FrameOut):
    """The first frame on a socket, once it is accepted."""

    type: Literal["ready"]
    user_id: int
    cursor: int = Field(description="The head of the user's stream now.")


@frames.server_frame
class EventOut(FrameOut):
    """One event of the user's stream, pushed live (at most once; `sync` fills gaps)."""

    type: Literal["event"]
    seq: int
    event: str
    data: dict[str, Any]


@frames.server_frame
class SignalOut(FrameOut):
    """A live-only signal (typing, presence): no seq, never stored, never replayed."""

    type: Literal["signal"]
    signal: str
    data: dict[str, Any]


@frames.server_frame
class SyncHintOut(FrameOut):
    """Pushes to this socket may have been lost (the broker reconnected): `sync` now."""

    type: Literal["sync_hint"]


@frames.frame(SyncIn, reply=SyncOut | ResyncRequiredOut, rate="PARLEY_SYNC_RATE")
def sync(user, data: SyncIn) -> dict:
    require_active(user)
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


@frames.frame(PingIn, reply=PongOut)
async def ping(user, data: PingIn) -> dict:
    return {"type": "pong"}

"""The delivery protocol's client rules (docs/protocol.md), with no I/O, as protocol.js has them
for the browser. The Python client (parley.client) and the test suite's protocol clients
(tests/support/wsclient.py) both apply frames through these, so the rules are written once.

The rule: a client keeps `cursor`, the last stream seq it applied. An event is applied only
when its seq is cursor + 1; seq <= cursor is a duplicate and is dropped; a gap (seq > cursor
+ 1) asks for `sync since=cursor`. Every (re)connect syncs too. Live-only signals have seq 0
and are never counted.
"""

from dataclasses import dataclass, field

# Close codes (docs/protocol.md, "Close codes").
AUTH_CLOSE_CODES = frozenset({4401})          # logged out, revoked, a bad token: log in again
FORBIDDEN_CLOSE_CODES = frozenset({4403})     # a refused Origin: retrying will not help
RETRY_CLOSE_CODES = frozenset({1001, 1006, 1011, 1012, 1013, 4429})  # back off, then reconnect

APPLY, DUPLICATE, GAP, SIGNAL = "apply", "duplicate", "gap", "signal"


def frames_of(frame: dict) -> list[dict]:
    """A received frame as the frames a client applies, in order.

    An `ack` of a `send` that carries the sender's own event comes out as that event frame
    first, then the ack itself: the event takes its place in the stream before the reply.
    """
    if frame.get("type") == "ack" and isinstance(frame.get("event"), dict):
        return [{"type": "event", **frame["event"]}, frame]
    return [frame]


@dataclass
class Cursor:
    """The last applied stream seq, and what to do with the next event."""

    seq: int = 0
    highest_seen: int = field(default=0)

    def classify(self, event: dict) -> str:
        seq = int(event.get("seq") or 0)
        if seq == 0:
            return SIGNAL
        self.highest_seen = max(self.highest_seen, seq)
        if seq <= self.seq:
            return DUPLICATE
        if seq == self.seq + 1:
            return APPLY
        return GAP

    def applied(self, event: dict) -> None:
        self.seq = max(self.seq, int(event["seq"]))

    def sync_frame(self, frame_id) -> dict:
        return {"type": "sync", "id": frame_id, "since": self.seq}


def backoff_seconds(attempt: int, *, base: float = 0.5, cap: float = 30.0) -> float:
    """How long to wait before reconnect attempt `attempt` (0-based), without the jitter."""
    return min(cap, base * (2 ** attempt))

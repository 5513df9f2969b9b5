"""Frames are checked at the edge: ids in the databases' range, sizes in bytes."""

import uuid

import pytest

from parley.conf import settings
from parley.core.errors import AppError
from parley.core.frames import frames
from parley.realtime.dispatch import parse_frame

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [2**63, 10**30, -(2**70), 0, -1])
@pytest.mark.parametrize("frame_type", ["send", "read"])
def test_ids_outside_the_databases_range_are_invalid_before_any_batch(frame_type, value):
    """A hostile id is refused by the schema, so it can never reach (and fail) a shared batch."""
    frame = {"type": frame_type, "conversation_id": value, "body": "hi", "client_msg_id": str(uuid.uuid4())}
    with pytest.raises(AppError) as caught:
        frames.get(frame_type).parse(frame)
    assert caught.value.code == "invalid" and caught.value.details == {"field": "conversation_id"}


def test_a_huge_sync_cursor_is_invalid_not_a_database_error():
    with pytest.raises(AppError) as caught:
        frames.get("sync").parse({"type": "sync", "since": 2**64})
    assert caught.value.code == "invalid"


def test_the_frame_limit_counts_bytes_not_characters():
    limit = settings.PARLEY_WS_MAX_FRAME
    # Under the limit in characters, over it in bytes: each "é" is two bytes of UTF-8.
    frame = '{"type": "ping", "pad": "' + "é" * (limit // 2) + '"}'
    assert len(frame) < limit < len(frame.encode())
    with pytest.raises(AppError) as caught:
        parse_frame(frame)
    assert caught.value.code == "frame_too_large"
    assert parse_frame('{"type": "ping", "pad": "' + "é" * (limit // 4) + '"}')["type"] == "ping"

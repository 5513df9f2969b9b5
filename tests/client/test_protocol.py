"""parley.client.protocol: the client's rules with no I/O (docs/protocol.md)."""

from parley.client import protocol


def event(seq, name="message.created"):
    return {"type": "event", "seq": seq, "event": name, "data": {}}


def test_an_ack_with_the_senders_event_stands_for_the_event_then_the_ack():
    ack = {"type": "ack", "id": 3, "event": {"seq": 7, "event": "message.created", "data": {"x": 1}}}
    assert protocol.frames_of(ack) == [{"type": "event", "seq": 7, "event": "message.created", "data": {"x": 1}}, ack]
    plain = {"type": "ack", "id": 4, "conversation_id": 1, "last_read_seq": 2}
    assert protocol.frames_of(plain) == [plain]
    assert protocol.frames_of({"type": "pong", "id": 1}) == [{"type": "pong", "id": 1}]


def test_each_event_applies_once_in_order_and_a_gap_asks_for_sync():
    cursor = protocol.Cursor(seq=4)
    assert cursor.classify(event(4)) == protocol.DUPLICATE
    assert cursor.classify(event(3)) == protocol.DUPLICATE
    assert cursor.classify(event(6)) == protocol.GAP
    assert cursor.classify(event(5)) == protocol.APPLY
    cursor.applied(event(5))
    assert cursor.seq == 5 and cursor.classify(event(5)) == protocol.DUPLICATE
    assert cursor.sync_frame("s1") == {"type": "sync", "id": "s1", "since": 5}
    assert cursor.highest_seen == 6


def test_signals_are_never_counted():
    cursor = protocol.Cursor(seq=9)
    assert cursor.classify({"type": "event", "seq": 0, "event": "typing", "data": {}}) == protocol.SIGNAL
    assert cursor.seq == 9


def test_backoff_doubles_up_to_its_cap():
    assert [protocol.backoff_seconds(n) for n in range(4)] == [0.5, 1, 2, 4]
    assert protocol.backoff_seconds(20) == 30.0
    assert 4401 in protocol.AUTH_CLOSE_CODES and 1013 in protocol.RETRY_CLOSE_CODES

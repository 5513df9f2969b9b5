"""Services on the real database: sending, idempotency, body rules, counters and events."""

import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from parley.conversations import services
from parley.conversations.models import Conversation, Message, Participant
from parley.core.errors import Conflict, Forbidden, Invalid
from parley.stream.models import StreamEvent, UserStream
from tests import factories as f
from tests.support.events import capture_events

pytestmark = pytest.mark.usefixtures("no_rate_limit")


def events_of(user):
    return list(StreamEvent.objects.filter(user=user).order_by("seq"))


def snapshot(conv, *users):
    """Everything a failed send must leave untouched."""
    conv = Conversation.objects.get(pk=conv.pk)
    return (
        Message.objects.count(),
        StreamEvent.objects.count(),
        conv.last_seq,
        conv.last_activity_at,
        tuple(UserStream.objects.filter(user__in=users).order_by("user_id").values_list("last_seq", flat=True)),
        tuple(Participant.objects.filter(conversation=conv).order_by("user_id").values_list("last_read_seq", flat=True)),
    )


# --- conversation_start ------------------------------------------------------------------


def test_conversation_start_creates_then_reuses(db):
    alice, bob = f.user(), f.user()
    item = f.listing(seller=alice)
    conv, created = services.conversation_start(buyer=bob, listing=item)
    assert created is True
    assert (conv.buyer_id, conv.seller_id, conv.listing_id, conv.last_seq) == (bob.pk, alice.pk, item.pk, 0)
    roles = dict(Participant.objects.filter(conversation=conv).values_list("user_id", "role"))
    assert roles == {bob.pk: "buyer", alice.pk: "seller"}
    again, created_again = services.conversation_start(buyer=bob, listing=item)
    assert (again.pk, created_again) == (conv.pk, False)
    assert Conversation.objects.count() == 1
    assert Participant.objects.count() == 2


def test_conversation_start_opens_both_streams_so_the_first_message_creates_no_head(db):
    alice, bob = f.user(), f.user()
    conv, _ = services.conversation_start(buyer=bob, listing=f.listing(seller=alice))
    heads = dict(UserStream.objects.filter(user__in=[alice, bob]).values_list("user_id", "last_seq"))
    assert heads == {bob.pk: 1, alice.pk: 0}  # bob's has his conversation.started; alice's is open
    with CaptureQueriesContext(connection) as queries:
        services.message_send(sender=bob, conversation=conv, body="hi", client_msg_id=uuid.uuid4())
    assert not [q for q in queries.captured_queries if q["sql"].startswith("INSERT INTO") and "userstream" in q["sql"]]
    assert UserStream.objects.get(user=alice).last_seq == 1


def test_conversation_start_on_own_listing_is_forbidden(db):
    alice = f.user()
    item = f.listing(seller=alice)
    with pytest.raises(Forbidden) as exc:
        services.conversation_start(buyer=alice, listing=item)
    assert exc.value.code == "own_listing"
    assert exc.value.status == 403
    assert Conversation.objects.count() == 0


def test_each_buyer_gets_their_own_conversation(db):
    alice, bob, carol = f.user(), f.user(), f.user()
    item = f.listing(seller=alice)
    c1, _ = services.conversation_start(buyer=bob, listing=item)
    c2, _ = services.conversation_start(buyer=carol, listing=item)
    assert c1.pk != c2.pk


# --- message_send: idempotency -------------------------------------------------------------


def test_send_returns_message_and_moves_counters(db):
    alice, bob, _carol, conv = f.trio()
    message, created = services.message_send(sender=bob, conversation=conv, body="Is it available?", client_msg_id=uuid.uuid4())
    assert created is True
    assert (message.seq, message.sender_id, message.body) == (1, bob.pk, "Is it available?")
    conv.refresh_from_db()
    assert conv.last_seq == 1
    assert abs((conv.last_activity_at - message.created_at).total_seconds()) < 5
    assert Message.objects.get(conversation=conv, seq=conv.last_seq).pk == message.pk
    marks = dict(Participant.objects.filter(conversation=conv).values_list("user_id", "last_read_seq"))
    assert marks == {bob.pk: 1, alice.pk: 0}, "sending marks everything before it read for the sender only"


def test_same_client_msg_id_returns_the_original(db):
    _alice, bob, _carol, conv = f.trio()
    cmid = uuid.uuid4()
    first, created1 = services.message_send(sender=bob, conversation=conv, body="one", client_msg_id=cmid)
    events_before = StreamEvent.objects.count()
    again, created2 = services.message_send(sender=bob, conversation=conv, body="a different retry body", client_msg_id=str(cmid))
    assert (created1, created2) == (True, False)
    assert again.pk == first.pk and again.body == "one" and again.seq == 1
    assert Message.objects.filter(sender=bob, client_msg_id=cmid).count() == 1
    assert StreamEvent.objects.count() == events_before, "a retry appends no events"
    conv.refresh_from_db()
    assert conv.last_seq == 1


def test_same_client_msg_id_in_another_conversation_conflicts(db):
    alice, bob, _carol, conv = f.trio()
    other = f.conversation(buyer=bob, seller=alice)
    cmid = uuid.uuid4()
    f.send(conv, bob, "first", cmid)
    before = snapshot(other, alice, bob)
    with pytest.raises(Conflict) as exc:
        services.message_send(sender=bob, conversation=other, body="x", client_msg_id=cmid)
    assert exc.value.status == 409 and exc.value.details.get("field") == "client_msg_id"
    assert snapshot(other, alice, bob) == before


def test_same_client_msg_id_from_two_senders_is_two_messages(db):
    alice, bob, _carol, conv = f.trio()
    cmid = uuid.uuid4()
    f.send(conv, bob, "from bob", cmid)
    f.send(conv, alice, "from alice", cmid)
    assert list(Message.objects.filter(conversation=conv).order_by("seq").values_list("sender_id", "seq")) == [
        (bob.pk, 1),
        (alice.pk, 2),
    ]


@pytest.mark.parametrize("bad", ["not-a-uuid", "", None, 12])
def test_client_msg_id_must_be_a_uuid(db, bad):
    alice, bob, _carol, conv = f.trio()
    before = snapshot(conv, alice, bob)
    with pytest.raises(Invalid) as exc:
        services.message_send(sender=bob, conversation=conv, body="hi", client_msg_id=bad)
    assert exc.value.details.get("field") == "client_msg_id"
    assert snapshot(conv, alice, bob) == before


def test_a_failed_attempt_is_not_remembered_as_done(db):
    _alice, bob, _carol, conv = f.trio()
    cmid = uuid.uuid4()
    with pytest.raises(Invalid):
        services.message_send(sender=bob, conversation=conv, body="   ", client_msg_id=cmid)
    message, created = services.message_send(sender=bob, conversation=conv, body="now with text", client_msg_id=cmid)
    assert created is True and message.body == "now with text" and message.seq == 1


# --- message_send: body rules ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "stored"),
    [
        ("  hello  ", "hello"),
        ("\n\thello\n", "hello"),
        ("line one\nline two\twith tab", "line one\nline two\twith tab"),
        ("windows\r\nline", "windows\nline"),
        ("<script>alert('x')</script> & \"quotes\"", "<script>alert('x')</script> & \"quotes\""),
        ("émoji 🚲 and RTL שלום", "émoji 🚲 and RTL שלום"),
        ("x" * 5000, "x" * 5000),
        ("  " + "y" * 5000 + "  ", "y" * 5000),
    ],
)
def test_body_is_trimmed_and_otherwise_stored_verbatim(db, body, stored):
    _alice, bob, _carol, conv = f.trio()
    message = f.send(conv, bob, body)
    assert Message.objects.get(pk=message.pk).body == stored


@pytest.mark.parametrize(
    "body",
    ["", "   ", "\n\t\n", "z" * 5001, "nul\x00byte", "bell\x07", "esc\x1b[31m", "del\x7f", "c1\x85next", "cr only\rhere", 42, None],
)
def test_invalid_body_is_rejected_and_nothing_is_saved(db, body):
    alice, bob, _carol, conv = f.trio()
    f.send(conv, alice, "earlier")
    before = snapshot(conv, alice, bob)
    with capture_events(expected=0):
        with pytest.raises(Invalid) as exc:
            services.message_send(sender=bob, conversation=conv, body=body, client_msg_id=uuid.uuid4())
    assert exc.value.code == "invalid" and exc.value.details.get("field") == "body"
    assert exc.value.message  # says what to fix
    assert snapshot(conv, alice, bob) == before


def test_too_long_body_error_says_the_limit(db):
    _alice, bob, _carol, conv = f.trio()
    with pytest.raises(Invalid) as exc:
        f.send(conv, bob, "z" * 5001)
    assert "5001" in exc.value.message and "5000" in exc.value.message
    assert exc.value.details["limit"] == 5000


# --- sequence numbers and events ---------------------------------------------------------------


def test_conversation_seq_is_1_to_n_without_gaps(db):
    alice, bob, _carol, conv = f.trio()
    for i in range(12):
        f.send(conv, bob if i % 3 else alice, f"m{i}")
    assert list(Message.objects.filter(conversation=conv).order_by("seq").values_list("seq", flat=True)) == list(range(1, 13))
    conv.refresh_from_db()
    assert conv.last_seq == 12


def test_stream_seq_is_per_user_and_gap_free_across_conversations(db):
    alice, bob, carol = f.user(), f.user(), f.user()
    c1 = f.conversation(buyer=bob, seller=alice)
    c2 = f.conversation(buyer=carol, seller=alice)
    for i in range(5):
        f.send(c1, bob, f"b{i}")
        f.send(c2, carol, f"c{i}")
    services.conversation_mark_read(user=alice, conversation=c1)
    for u, n in ((alice, 11), (bob, 7), (carol, 6)):  # the buyers' first event: conversation.started
        seqs = [e.seq for e in events_of(u)]
        assert seqs == list(range(1, n + 1)), (u.username, seqs)
        assert UserStream.objects.get(user=u).last_seq == n
    # Each conversation's message seq is independent of the other's.
    assert sorted(Message.objects.filter(conversation=c2).values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_a_new_conversation_is_told_to_the_buyers_own_stream_only(db):
    """Contact seller, before a word: the buyer's other tabs list it and count it (All, Buying);
    the seller hears nothing until the first message; opening it again appends nothing."""
    alice, bob = f.user("alice"), f.user("bob")
    listing = f.listing(seller=alice)
    with capture_events(expected=1) as captured:
        conv, created = services.conversation_start(buyer=bob, listing=listing)
    assert created and captured.summary() == [(bob.pk, 1, "conversation.started")]
    (event,) = captured.of(bob.pk)
    assert event.data["inbox_moves"] == {"all": 1, "buying": 1}
    assert event.data["conversation"]["id"] == conv.pk and event.data["conversation"]["role"] == "buyer"
    assert event.data["conversation"]["other"]["id"] == alice.pk and event.data["conversation"]["last_seq"] == 0
    with capture_events(expected=0):
        assert services.conversation_start(buyer=bob, listing=listing) == (conv, False)
    assert events_of(alice) == []


def test_message_created_event_goes_to_both_participants_with_their_view(db):
    alice, bob, carol, conv = f.trio()
    other_conv = f.conversation(buyer=bob, seller=alice)
    f.send(other_conv, bob, "elsewhere")  # alice: 1 unread elsewhere
    message = f.send(conv, bob, "Is it available?")
    assert events_of(carol) == []
    (bob_event,) = [e for e in events_of(bob) if e.type == "message.created" and e.payload["message"]["id"] == message.pk]
    (alice_event,) = [e for e in events_of(alice) if e.type == "message.created" and e.payload["message"]["id"] == message.pk]
    for event in (bob_event, alice_event):
        assert event.type == "message.created"
        assert event.payload["message"] == {
            "id": message.pk,
            "conversation_id": conv.pk,
            "seq": 1,
            "sender_id": bob.pk,
            "body": "Is it available?",
            "client_msg_id": str(message.client_msg_id),
            "created_at": event.payload["message"]["created_at"],
        }
        assert event.payload["conversation"]["id"] == conv.pk
        assert event.payload["conversation"]["last_seq"] == 1
    assert bob_event.payload["conversation"]["role"] == "buyer"
    assert bob_event.payload["conversation"]["other"]["id"] == alice.pk
    assert (bob_event.payload["unread"], bob_event.payload["unread_total"]) == (0, 0)
    assert alice_event.payload["conversation"]["role"] == "seller"
    assert alice_event.payload["conversation"]["other"]["id"] == bob.pk
    assert (alice_event.payload["unread"], alice_event.payload["unread_total"]) == (1, 2)


def test_events_are_published_after_commit_only(db, published, django_capture_on_commit_callbacks):
    alice, bob, _carol, conv = f.trio()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = f.send(conv, bob, "hello")
        assert published == [], "nothing is published before the transaction commits"
    assert StreamEvent.objects.filter(user__in=[alice, bob], type="message.created").count() == 2
    assert callbacks, "the service registered its publish with transaction.on_commit"
    for callback in callbacks:
        callback()
    assert sorted(uid for uid, _ in published) == sorted([alice.pk, bob.pk]), "once per recipient user"
    for uid, frame in published:
        row = StreamEvent.objects.get(user_id=uid, seq=frame["seq"])
        assert frame == {"type": "event", "seq": row.seq, "event": "message.created", "data": row.payload}
        assert frame["data"]["message"]["id"] == message.pk


def test_retry_publishes_nothing(db):
    _alice, bob, _carol, conv = f.trio()
    cmid = uuid.uuid4()
    f.send(conv, bob, "once", cmid)
    with capture_events(expected=0):
        f.send(conv, bob, "once", cmid)


@pytest.mark.django_db(transaction=True)
def test_rolled_back_send_leaves_no_trace_and_publishes_nothing(no_rate_limit):
    alice, bob, _carol, conv = f.trio()

    class Boom(Exception):
        pass

    with capture_events(expected=0):
        with pytest.raises(Boom):
            with transaction.atomic():
                f.send(conv, bob, "never")
                raise Boom
    assert Message.objects.count() == 0 and [e.type for e in StreamEvent.objects.all()] == ["conversation.started"]
    with capture_events(expected=2) as captured:
        f.send(conv, bob, "real")
    assert captured.summary() == [(bob.pk, 2, "message.created"), (alice.pk, 1, "message.created")]
    assert [e.seq for e in events_of(bob)] == [1, 2]


# --- read marks ---------------------------------------------------------------------------------


def read_mark(conv, user):
    return Participant.objects.get(conversation=conv, user=user).last_read_seq


def test_read_mark_moves_forward_never_back(db):
    alice, bob, _carol, conv = f.trio()
    for i in range(7):
        f.send(conv, bob, f"m{i}")
    assert services.conversation_mark_read(user=alice, conversation=conv, seq=5) == 5
    n_events = StreamEvent.objects.count()
    assert services.conversation_mark_read(user=alice, conversation=conv, seq=3) == 5
    assert services.conversation_mark_read(user=alice, conversation=conv, seq=5) == 5
    assert read_mark(conv, alice) == 5
    assert StreamEvent.objects.count() == n_events, "a mark that does not move publishes nothing"
    assert services.conversation_mark_read(user=alice, conversation=conv, seq=999) == 7, "beyond the last clamps"
    assert read_mark(conv, alice) == 7


def test_read_mark_defaults_to_last_message(db):
    alice, bob, _carol, conv = f.trio()
    for i in range(3):
        f.send(conv, bob, f"m{i}")
    assert services.conversation_mark_read(user=alice, conversation=conv) == 3


@pytest.mark.parametrize("bad", [-1, "abc", "1.5"])
def test_read_mark_rejects_bad_seq(db, bad):
    alice, bob, _carol, conv = f.trio()
    f.send(conv, bob)
    with pytest.raises(Invalid):
        services.conversation_mark_read(user=alice, conversation=conv, seq=bad)
    assert read_mark(conv, alice) == 0


def test_read_event_goes_to_both_sides(db):
    alice, bob, carol, conv = f.trio()
    for i in range(4):
        f.send(conv, bob, f"m{i}")
    with capture_events(expected=2) as captured:
        services.conversation_mark_read(user=alice, conversation=conv, seq=3)
    mine = events_of(alice)[-1]
    theirs = events_of(bob)[-1]
    assert mine.type == theirs.type == "conversation.read"
    assert mine.payload == {"conversation_id": conv.pk, "user_id": alice.pk, "seq": 3, "unread": 1, "unread_total": 1,
                            "inbox_moves": {}}  # still unread: no chip moves
    assert theirs.payload == {"conversation_id": conv.pk, "user_id": alice.pk, "seq": 3}
    assert events_of(carol) == []
    assert [(e.user_id, e.seq, e.type, e.data) for e in captured.events] == [
        (alice.pk, mine.seq, "conversation.read", mine.payload), (bob.pk, theirs.seq, "conversation.read", theirs.payload)
    ]


# --- rate limit ---------------------------------------------------------------------------------


def test_rate_limit_refuses_with_retry_after_and_saves_nothing(db, settings):
    from django.core.cache import cache

    from parley.core.errors import RateLimited

    settings.PARLEY_SEND_RATE = "3/3600"
    cache.clear()
    alice, bob, _carol, conv = f.trio()
    for i in range(3):
        f.send(conv, bob, f"m{i}")
    before = snapshot(conv, alice, bob)
    with pytest.raises(RateLimited) as exc:
        f.send(conv, bob, "one too many")
    assert exc.value.status == 429 and exc.value.code == "rate_limited"
    assert 1 <= exc.value.details["retry_after"] <= 3600
    assert snapshot(conv, alice, bob) == before
    f.send(conv, alice, "the limit is per user")
    cache.clear()


def test_a_retry_is_answered_even_at_the_rate_limit(db, settings):
    """A retry whose ack was lost gets its original message back, not a rate-limit error."""
    from django.core.cache import cache

    settings.PARLEY_SEND_RATE = "2/3600"
    cache.clear()
    _alice, bob, _carol, conv = f.trio()
    cmid = uuid.uuid4()
    first = f.send(conv, bob, "first", cmid)
    f.send(conv, bob, "second")
    again, created = services.message_send(sender=bob, conversation=conv, body="first", client_msg_id=cmid)
    assert (again.pk, created) == (first.pk, False)
    cache.clear()

"""The live step is recorded: one `live` notice per (recipient, conversation) and ladder batch,
saying whether the recipient had a socket open (delivered live), was offline, had muted the
conversation, or could not be checked; the admin shows it with its reason."""

import time
import uuid
from datetime import UTC, datetime

import pytest
from asgiref.sync import sync_to_async

from parley.conversations import services as conversations
from parley.notifications.models import Notice
from parley.notifications.services import ladder
from parley.notifications.services.preferences import mute_set
from parley.stream.presence import MemoryPresenceStore, RedisPresenceStore, tracker
from tests import factories as f
from tests.support.asgi import ASGIHarness, run
from tests.support.services import REDIS_URL

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_broker", "fresh_batchers")]


@pytest.fixture(autouse=True)
def quick(settings, rate_clock):
    settings.PARLEY_PRESENCE_GRACE = 0
    return rate_clock


def live(user) -> list[tuple[str, str, int]]:
    return list(Notice.objects.filter(user=user, channel="live").order_by("pk").values_list("status", "reason", "messages"))


def test_an_open_socket_is_recorded_as_delivered_live_and_a_muted_one_as_silent():
    alice, bob, _carol, conv = f.trio()

    async def go():
        async with ASGIHarness() as h:
            a, b = await h.ws(alice), await h.ws(bob)
            for body in ("Still for sale?", "Hello again"):  # the second joins the unread spell: no new row
                ack = await b.request({"type": "send", "conversation_id": conv.pk, "body": body,
                                       "client_msg_id": str(uuid.uuid4())})
                assert ack["type"] == "ack", ack
                await a.event(lambda fr: fr.get("event") == "message.created")
            assert await sync_to_async(live)(alice) == [("sent", "online", 1)]
            await sync_to_async(conversations.conversation_mark_read)(user=alice, conversation=conv)
            await sync_to_async(mute_set)(user_id=alice.pk, conversation_id=conv.pk, duration="1h")
            await b.request({"type": "send", "conversation_id": conv.pk, "body": "Hello?", "client_msg_id": str(uuid.uuid4())})
            await a.event(lambda fr: fr.get("event") == "message.created")

    run(go())
    assert live(alice) == [("sent", "online", 1), ("cancelled", "muted", 1)]
    assert live(bob) == [], "the sender is not notified"


def test_no_socket_is_recorded_as_offline_and_the_email_step_still_opens():
    alice, bob, _carol, conv = f.trio()
    conversations.message_send(sender=alice, conversation=conv, body="Yes, still here", client_msg_id=uuid.uuid4())
    assert live(bob) == [("cancelled", "offline", 1)]
    assert Notice.objects.filter(user=bob, channel="email", status="pending").count() == 1


def read(user, conv):
    """The user read the conversation: the pending email is cancelled, the unread spell ends."""
    ladder.notices_schedule(messages=[], reads=[{"u": user.pk, "c": conv.pk, "s": 10**6}])


def schedule(user, conv, *, here: bool):
    now = datetime.now(UTC)
    ladder.notices_schedule(messages=[{"u": user.pk, "c": conv.pk, "s": 1, "t": now, "o": here},
                                      {"u": user.pk, "c": conv.pk, "s": 2, "t": now, "o": False}], reads=[])


def test_the_worker_trusts_the_committing_process_when_presence_is_in_process(monkeypatch):
    """One server process, a separate task worker: the worker's own store knows no socket, so
    the flag the sink set on the committing process decides."""
    alice, _bob, _carol, conv = f.trio()
    monkeypatch.setattr(tracker, "store", MemoryPresenceStore())
    schedule(alice, conv, here=True)
    schedule(alice, conv, here=False)  # joins the pending email: the same spell, no new row
    assert live(alice) == [("sent", "online", 2)]
    read(alice, conv)
    schedule(alice, conv, here=False)
    assert live(alice) == [("sent", "online", 2), ("cancelled", "offline", 2)]


def test_with_redis_the_worker_sees_sockets_on_every_process(require_redis, monkeypatch):
    alice, bob, _carol, conv = f.trio()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    server = RedisPresenceStore(REDIS_URL, prefix=prefix, ttl=30, process_id="server-2")
    monkeypatch.setattr(tracker, "store", RedisPresenceStore(REDIS_URL, prefix=prefix, ttl=30, process_id="worker"))
    try:
        server.up([alice.pk], time.time())  # alice has a socket on another server process
        schedule(alice, conv, here=False)
        schedule(bob, conv, here=False)
        assert live(alice) == [("sent", "online", 2)]
        assert live(bob) == [("cancelled", "offline", 2)]
    finally:
        for key in server.redis.scan_iter(f"{prefix}:*"):
            server.redis.delete(key)


def test_redis_unreachable_is_recorded_as_unknown_not_offline(monkeypatch):
    alice, _bob, _carol, conv = f.trio()
    monkeypatch.setattr(tracker, "store", RedisPresenceStore("redis://127.0.0.1:1/0", prefix="nowhere", ttl=30))
    schedule(alice, conv, here=False)
    assert live(alice) == [("cancelled", "unknown", 2)]
    read(alice, conv)
    schedule(alice, conv, here=True)  # a socket here needs no Redis
    assert live(alice)[-1] == ("sent", "online", 2)


def test_the_admin_shows_live_steps_with_their_reason(client):
    alice, bob, _carol, conv = f.trio()
    conversations.message_send(sender=alice, conversation=conv, body="Yes", client_msg_id=uuid.uuid4())
    root = f.user("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    page = client.get("/admin/parley_notifications/notice/?channel=live").content.decode()
    assert "no Parley tab or app was connected" in page and "live (an open tab or app)" in page
    notice = Notice.objects.get(user=bob, channel="live")
    assert client.get(f"/admin/parley_notifications/notice/{notice.pk}/change/").status_code == 200


def test_old_finished_records_are_pruned_and_pending_work_is_kept(notify_clock):
    """A live record per recipient and batch grows with traffic: `parley_prune_notices` (and the
    `prune_notices` task `parley serve` queues at start) deletes finished ones past
    PARLEY_NOTICE_KEEP_DAYS; a pending email is still work to do and stays."""
    from io import StringIO

    from django.core.management import call_command

    from parley.notifications.tasks import prune_notices

    alice, bob, _carol, conv = f.trio()
    conversations.message_send(sender=alice, conversation=conv, body="An old one", client_msg_id=uuid.uuid4())
    assert sorted(Notice.objects.filter(user=bob).values_list("channel", "status")) == [("email", "pending"), ("live", "cancelled")]
    conversations.conversation_mark_read(user=bob, conversation=conv)  # the email is cancelled: done
    notify_clock.advance(31 * 24 * 3600)
    conversations.message_send(sender=alice, conversation=conv, body="A new one", client_msg_id=uuid.uuid4())
    assert Notice.objects.filter(user=bob, channel="live").count() == 2

    out = StringIO()
    call_command("parley_prune_notices", stdout=out)
    assert "Deleted 2 notification records" in out.getvalue()  # the old spell's live row and cancelled email
    assert list(Notice.objects.filter(user=bob, channel="live").values_list("messages", "first_seq")) == [(1, 2)]
    assert Notice.objects.filter(user=bob, channel="email", status="pending").exists(), "pending work is never pruned"
    call_command("parley_prune_notices", "--days", "0", stdout=out)
    assert not Notice.objects.filter(channel="live").exists()
    assert prune_notices.call() == 0


def test_while_redis_is_down_presence_logs_once_not_per_lookup(monkeypatch, caplog, require_redis):
    """Every ladder batch asks presence; with Redis down that is a failure per batch. The log
    says it once when it starts and once when it ends (a storm of lines once buried the
    broker's own outage line in tests/faults/test_redis_restart.py)."""
    import logging

    from parley.core.errors import Unavailable

    alice, bob, _carol, conv = f.trio()
    monkeypatch.setattr(tracker, "_lookups", type(tracker._lookups)(logging.getLogger("parley.presence"), "Presence lookup"))
    monkeypatch.setattr(tracker, "store", RedisPresenceStore("redis://127.0.0.1:1/0", prefix="nowhere", ttl=30))
    with caplog.at_level(logging.WARNING, logger="parley.presence"):
        for _ in range(5):
            read(alice, conv)
            schedule(alice, conv, here=False)
            with pytest.raises(Unavailable):
                tracker.is_online(bob.pk)
        monkeypatch.setattr(tracker, "store", RedisPresenceStore(REDIS_URL, prefix=f"t-{uuid.uuid4().hex[:8]}", ttl=30))
        for _ in range(2):
            read(alice, conv)
            schedule(alice, conv, here=False)
    lines = [r.getMessage() for r in caplog.records if r.name == "parley.presence"]
    assert len(lines) == 2, lines
    assert lines[0].startswith("Presence lookup failed (ConnectionError") and lines[1] == "Presence lookup recovered."
    assert [s for s, r, _n in live(alice)][-2:] == ["cancelled", "cancelled"] and live(alice)[-1][1] == "offline"

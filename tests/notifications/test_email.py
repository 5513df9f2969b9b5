"""The email step, against a real SMTP server: delay, batching, recheck, language, both parts,
List-Unsubscribe one-click, blocks, mutes, retries, and each notice claimed once."""

import pytest

from parley.conversations import services as conversations
from parley.notifications.models import Notice, NotificationSettings
from parley.notifications.services import ladder
from parley.notifications.services.address import email_mark_confirmed
from parley.notifications.services.channels import notice_attempt
from parley.notifications.services.preferences import language_remember, mute_set, quiet_hours_update
from parley.safety.services.blocks import block_create
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

DELAY = 600


def people():
    alice = f.user("alice", email="alice@example.com", first_name="Alice", last_name="Martin")
    bob = f.user("bob", email="bob@example.com", first_name="Bob", last_name="Dupont")
    for u in (alice, bob):
        email_mark_confirmed(user_id=u.pk, address=u.email)
    conv = f.conversation(buyer=bob, listing_obj=f.listing(seller=alice, title="Blue bike <fast>"))
    return alice, bob, conv


def header(mail, name: str) -> str:
    return str(mail[name]).strip()


def run_due():
    return ladder.notices_run_due()


def test_unread_messages_are_mailed_once_after_the_delay_in_one_email_per_conversation(smtp, notify_clock):
    alice, bob, conv = people()
    f.send(conv, bob, "Is it still for sale?")
    f.send(conv, bob, "I can pick it up <today>")
    notice = Notice.objects.get(user=alice, channel="email")  # the second message joined the first's
    assert notice.status == "pending" and notice.first_seq == 1
    assert not Notice.objects.filter(user=bob).exists()  # the sender is not notified
    notify_clock.advance(DELAY - 5)
    assert run_due() == [] and smtp.messages == []
    notify_clock.advance(10)
    run_due()
    run_due()  # a second sweep finds nothing to send
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert header(mail, "To") == "alice@example.com"
    assert header(mail, "Subject") == "2 new messages from Bob Dupont about “Blue bike <fast>”"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Is it still for sale?" in text and "I can pick it up <today>" in text
    assert "I can pick it up &lt;today&gt;" in html and "<today>" not in html  # escaped in HTML
    assert f'href="https://parley.test/messages/{conv.pk}/"' in html and "Open the conversation" in html
    assert header(mail, "List-Unsubscribe").startswith("<https://parley.test/notifications/unsubscribe/")
    assert header(mail, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    notice.refresh_from_db()
    assert (notice.status, notice.reason, notice.messages, notice.address) == ("sent", "sent", 2, "alice@example.com")
    assert notice.last_seq == 2  # the last message the email listed


def test_reading_cancels_the_pending_email(smtp, notify_clock):
    alice, bob, conv = people()
    f.send(conv, bob, "hello")
    conversations.conversation_mark_read(user=alice, conversation=conv)
    notice = Notice.objects.get(channel="email", user=alice)
    assert (notice.status, notice.reason) == ("cancelled", "read")
    notify_clock.advance(DELAY + 1)
    run_due()
    assert smtp.messages == []


def test_the_worker_checks_again_just_before_sending(smtp, notify_clock, django_capture_on_commit_callbacks):
    """A read whose event never reached the ladder (a lost task) still stops the email."""
    from parley.stream import sinks

    alice, bob, conv = people()
    f.send(conv, bob, "first")
    f.send(conv, bob, "second")
    saved = sinks._sinks.pop("notifications")
    try:
        conversations.conversation_mark_read(user=alice, conversation=conv, seq=1)  # read on a phone
    finally:
        sinks.register_sink("notifications", saved)
    notify_clock.advance(DELAY + 1)
    run_due()
    assert len(smtp.messages) == 1
    text = smtp.messages[0].get_body(("plain",)).get_content()
    assert "second" in text and "first" not in text
    conversations.conversation_mark_read(user=alice, conversation=conv)
    f.send(conv, bob, "third")
    sinks._sinks.pop("notifications")
    try:
        conversations.conversation_mark_read(user=alice, conversation=conv)
    finally:
        sinks.register_sink("notifications", saved)
    notify_clock.advance(DELAY + 1)
    run_due()
    assert len(smtp.messages) == 1
    assert Notice.objects.filter(channel="email", user=alice).order_by("-pk").values_list("reason", flat=True)[0] == "read"


def test_email_in_the_recipients_language(smtp, notify_clock):
    alice, bob, conv = people()
    language_remember(user_id=alice.pk, language="fr")
    f.send(conv, bob, "Bonjour")
    notify_clock.advance(DELAY + 1)
    run_due()
    mail = smtp.messages[0]
    assert header(mail, "Subject") == "Nouveau message de Bob Dupont à propos de « Blue bike <fast> »"
    assert "Ouvrir la conversation" in mail.get_body(("html",)).get_content()
    assert "Se désabonner de ces e-mails" in mail.get_body(("plain",)).get_content()


def test_one_click_unsubscribe_then_undo_in_settings(smtp, notify_clock, client):
    alice, bob, conv = people()
    f.send(conv, bob, "hello")
    notify_clock.advance(DELAY + 1)
    run_due()
    url = header(smtp.messages[0], "List-Unsubscribe").strip("<>").removeprefix("https://parley.test")
    assert "Unsubscribe" in client.get(url).content.decode()  # a GET (a link scanner) changes nothing
    assert NotificationSettings.objects.get(user=alice).email is True
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", without cookies or CSRF token.
    r = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200 and "You are unsubscribed" in r.content.decode()
    row = NotificationSettings.objects.get(user=alice)
    assert row.email is False and row.unsubscribed_at is not None
    f.send(conv, bob, "still there?")
    notify_clock.advance(DELAY + 1)
    run_due()
    assert len(smtp.messages) == 1
    assert Notice.objects.filter(channel="email", user=alice).order_by("-pk")[0].reason == "unsubscribed"
    assert client.post(url[:-3] + "xx/").status_code == 400  # an altered token does nothing
    client.force_login(alice)
    page = client.get("/settings/").content.decode()
    assert 'id="notify-unsubscribed"' in page
    client.post("/notifications/settings/channels/", {"sound": "on", "browser": "on", "push": "on", "email": "on"})
    row.refresh_from_db()
    assert row.email is True and row.unsubscribed_at is None
    f.send(conv, bob, "and now?")
    notify_clock.advance(DELAY + 1)
    run_due()
    assert len(smtp.messages) == 2


def test_a_blocked_senders_messages_notify_no_one(smtp, notify_clock):
    alice, bob, conv = people()
    f.send(conv, bob, "hello")
    block_create(blocker=alice, blocked=bob)
    notify_clock.advance(DELAY + 1)
    run_due()
    assert smtp.messages == []
    assert Notice.objects.get(channel="email", user=alice).reason == "blocked"


def test_muted_conversation_and_switched_off_channel_and_no_address(smtp, notify_clock):
    alice, bob, conv = people()
    mute_set(user_id=alice.pk, conversation_id=conv.pk, duration="1h")
    f.send(conv, bob, "one")
    notify_clock.advance(DELAY + 1)
    run_due()
    assert Notice.objects.get(channel="email", user=alice).reason == "muted"
    # Bob's address changed without confirmation: nothing goes to it.
    type(bob).objects.filter(pk=bob.pk).update(email="someone-else@example.com")
    f.send(conv, alice, "two")
    notify_clock.advance(DELAY + 1)
    run_due()
    assert Notice.objects.get(channel="email", user=bob).reason == "no_address"
    assert smtp.messages == []


def test_quiet_hours_hold_the_email_until_they_end_then_one_email(smtp, notify_clock):
    from datetime import timedelta

    from parley.notifications.services import clock

    alice, bob, conv = people()
    now = clock()
    start = (now - timedelta(hours=1)).strftime("%H:%M")
    end = (now + timedelta(hours=2)).strftime("%H:%M")
    quiet_hours_update(user_id=alice.pk, start=start, end=end, time_zone="UTC")
    f.send(conv, bob, "late one")
    notify_clock.advance(DELAY + 1)
    run_due()
    notice = Notice.objects.get(channel="email", user=alice)
    assert (notice.status, notice.reason) == ("pending", "quiet") and smtp.messages == []
    f.send(conv, bob, "late two")  # joins the held notice
    notify_clock.advance(2 * 3600)
    run_due()
    assert len(smtp.messages) == 1
    assert "late two" in smtp.messages[0].get_body(("plain",)).get_content()
    assert Notice.objects.filter(channel="email", user=alice).count() == 1


def test_smtp_down_is_retried_with_backoff_and_sent_once_when_back(smtp, notify_clock):
    alice, bob, conv = people()
    f.send(conv, bob, "hello")
    smtp.stop()
    notify_clock.advance(DELAY + 1)
    run_due()
    notice = Notice.objects.get(channel="email", user=alice)
    assert (notice.status, notice.reason, notice.attempts) == ("pending", "retrying", 1)
    assert "Connection" in notice.last_error or "refused" in notice.last_error.lower()
    smtp.start()
    run_due()  # not due again yet (30 s backoff)
    assert smtp.messages == []
    notify_clock.advance(31)
    run_due()
    run_due()
    assert len(smtp.messages) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 2)


def test_a_refused_address_is_recorded_not_retried(smtp, notify_clock):
    alice, bob, conv = people()
    smtp.recorder.refuse.add("alice@example.com")
    f.send(conv, bob, "hello")
    notify_clock.advance(DELAY + 1)
    run_due()
    notice = Notice.objects.get(channel="email", user=alice)
    assert (notice.status, notice.reason) == ("failed", "refused") and "550" in notice.last_error


def test_a_notice_is_claimed_by_one_worker_only(smtp, notify_clock):
    alice, bob, conv = people()
    f.send(conv, bob, "hello")
    notify_clock.advance(DELAY + 1)
    notice = Notice.objects.get(channel="email", user=alice)
    assert ladder.notice_claim(notice.pk, ladder.clock()) is not None
    assert notice_attempt(notice.pk) is None  # the other worker finds it taken
    assert smtp.messages == []


def test_the_ladder_does_not_depend_on_the_order_of_messages_and_reads(smtp, notify_clock):
    """One batch (a half-second flush) may carry a read before or after a message: only what is
    read now cancels."""
    from django.utils import timezone

    alice, bob, conv = people()
    from parley.stream import sinks

    saved = sinks._sinks.pop("notifications")
    try:
        f.send(conv, bob, "one")
        conversations.conversation_mark_read(user=alice, conversation=conv)
        f.send(conv, bob, "two")
    finally:
        sinks.register_sink("notifications", saved)
    now = timezone.now()
    ladder.notices_schedule(messages=[{"u": alice.pk, "c": conv.pk, "s": 2, "t": now}],
                            reads=[{"u": alice.pk, "c": conv.pk, "s": 1}])
    assert Notice.objects.get(channel="email", user=alice).status == "pending"  # "two" is still unread
    conversations.conversation_mark_read(user=alice, conversation=conv)  # through the sink this time
    assert Notice.objects.get(channel="email", user=alice).reason == "read"
    notify_clock.advance(DELAY + 1)
    run_due()
    assert smtp.messages == []

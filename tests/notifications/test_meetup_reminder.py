"""The meet-up reminder (parley.deals, an hour before an accepted meet-up) on the ladder: the
`meetup.reminder` stream event is live; push after 30 s without a visible tab and email after
the email delay, against a real SMTP server and a local push service; each at most once,
respecting the channel switches, quiet hours and the conversation's mute."""

from datetime import timedelta

import pytest
from django.utils import timezone

from parley.deals import services as deals
from parley.notifications.models import Notice, NotificationSettings
from parley.notifications.services import ladder
from parley.notifications.services.address import email_mark_confirmed
from parley.notifications.services.preferences import language_remember, mute_set, quiet_hours_update
from parley.notifications.services.push import push_subscribe, visibility_report
from parley.notifications.services.reminders import reminders_schedule
from tests import factories as f
from tests.support.events import capture_events

pytestmark = pytest.mark.django_db(transaction=True)

DELAY = 600


def accepted_meetup(minutes=50):
    alice = f.user("alice", email="alice@example.com", first_name="Alice", last_name="Martin")
    bob = f.user("bob", email="bob@example.com", first_name="Bob", last_name="Dupont")
    for u in (alice, bob):
        email_mark_confirmed(user_id=u.pk, address=u.email)
    conv = f.conversation(buyer=bob, listing_obj=f.listing(seller=alice, title="Blue bike"))
    meetup = deals.meetup_propose(user=bob, conversation=conv, at=timezone.now() + timedelta(minutes=minutes),
                                  place="Central station hall")
    deals.meetup_accept(user=alice, meetup=meetup)
    return alice, bob, conv, meetup


def reminders(channel="email"):
    return Notice.objects.filter(kind="meetup", channel=channel)


def test_the_reminder_is_live_then_mailed_once_to_both_after_the_delay(smtp, notify_clock):
    alice, bob, conv, meetup = accepted_meetup()
    with capture_events() as live:
        assert deals.meetups_remind() == 1
    assert sorted((e.user_id, e.type) for e in live.events) == sorted(
        [(alice.pk, "meetup.reminder"), (bob.pk, "meetup.reminder")])
    assert sorted(reminders().values_list("user_id", "status", "ref")) == sorted(
        [(alice.pk, "pending", meetup.pk), (bob.pk, "pending", meetup.pk)])
    assert not reminders("push").exists()  # no device subscribed

    notify_clock.advance(DELAY - 5)
    assert ladder.notices_run_due() == [] and smtp.messages == []
    notify_clock.advance(10)
    ladder.notices_run_due()
    ladder.notices_run_due()
    assert sorted(str(m["To"]) for m in smtp.messages) == ["alice@example.com", "bob@example.com"]
    to_alice = next(m for m in smtp.messages if str(m["To"]) == "alice@example.com")
    assert str(to_alice["Subject"]).startswith("Reminder: meet-up with Bob Dupont at ")
    text = to_alice.get_body(("plain",)).get_content()
    html = to_alice.get_body(("html",)).get_content()
    assert "You meet Bob Dupont about “Blue bike” in an hour:" in text and "Central station hall" in text
    assert "https://www.openstreetmap.org/search?query=Central%20station%20hall" in text
    assert f'href="https://parley.test/messages/{conv.pk}/"' in html
    assert str(to_alice["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert set(reminders().values_list("status", "reason")) == {("sent", "sent")}

    # Never twice: the meet-up is claimed (reminded_at), and a reminder handed on again opens nothing.
    assert deals.meetups_remind() == 0
    assert reminders_schedule([[alice.pk, conv.pk, meetup.pk, meetup.at.isoformat(), "x", "x"]]) == []
    notify_clock.advance(DELAY * 2)
    ladder.notices_run_due()
    assert len(smtp.messages) == 2 and reminders().count() == 2


def test_mute_switch_quiet_hours_and_a_visible_tab_are_respected(smtp, notify_clock):
    alice, bob, conv, meetup = accepted_meetup()
    carol = f.user("carol", email="carol@example.com")
    email_mark_confirmed(user_id=carol.pk, address=carol.email)
    mute_set(user_id=alice.pk, conversation_id=conv.pk, duration="forever")
    NotificationSettings.objects.filter(user=bob).update(email=False)
    deals.meetups_remind()
    notify_clock.advance(DELAY + 1)
    ladder.notices_run_due()
    assert smtp.messages == []
    assert dict(reminders().values_list("user_id", "reason")) == {alice.pk: "muted", bob.pk: "channel_off"}
    assert not Notice.objects.filter(user=carol).exists()  # a stranger to the conversation hears nothing


def test_quiet_hours_past_the_meetup_drop_the_email_and_a_visible_tab_means_seen(smtp, notify_clock):
    alice, bob, conv, meetup = accepted_meetup()
    now = timezone.now()
    quiet_hours_update(user_id=alice.pk, start=(now - timedelta(hours=1)).strftime("%H:%M"),
                       end=(now + timedelta(hours=3)).strftime("%H:%M"), time_zone="UTC")
    deals.meetups_remind()
    visibility_report(user_id=bob.pk, visible=True)  # bob's tab showed the reminder live
    notify_clock.advance(DELAY + 1)
    ladder.notices_run_due()
    assert smtp.messages == []
    assert dict(reminders().values_list("user_id", "reason")) == {alice.pk: "quiet", bob.pk: "visible"}


def test_pushed_after_30_s_in_the_users_language(push_service, smtp, notify_clock):
    alice, bob, conv, meetup = accepted_meetup()
    language_remember(user_id=alice.pk, language="fr")
    sub = push_service.device("phone").subscription()
    push_subscribe(user=alice, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"])
    deals.meetups_remind()
    notify_clock.advance(31)
    ladder.notices_run_due()
    [pushed] = push_service.delivered("phone")
    assert pushed["title"].startswith("Rendez-vous avec Bob Dupont à ")
    assert pushed["body"] == "Blue bike \u2014 Central station hall"
    assert pushed["url"] == f"/messages/{conv.pk}/" and pushed["tag"] == f"parley-meetup-{conv.pk}"
    assert reminders("push").get().status == "sent"
    notify_clock.advance(DELAY)
    ladder.notices_run_due()
    [mail] = [m for m in smtp.messages if str(m["To"]) == "alice@example.com"]
    assert str(mail["Subject"]).startswith("Rappel : rendez-vous avec Bob Dupont à ")


def test_a_new_proposal_cancels_the_pending_reminders_of_the_meetup_it_replaces(smtp, notify_clock):
    alice, bob, conv, meetup = accepted_meetup()
    deals.meetups_remind()
    deals.meetup_propose(user=alice, conversation=conv, at=timezone.now() + timedelta(days=1), place="Police station lobby")
    assert set(reminders().values_list("status", "reason")) == {("cancelled", "replaced")}
    notify_clock.advance(DELAY + 1)
    ladder.notices_run_due()
    assert smtp.messages == []

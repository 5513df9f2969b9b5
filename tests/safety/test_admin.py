"""Moderation in the Django admin, as a superuser: the queue, the reported message in its
context, each action (a service, recorded), the read-only record, and message text that the
admin cannot edit."""

import re

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from parley.conversations.models import Message
from parley.safety import services
from parley.safety.models import ModerationAction, Report
from tests import factories as f
from tests.support.asgi import ASGIHarness, Closed, Refused, run
from tests.support.events import capture_events

pytestmark = pytest.mark.usefixtures("no_rate_limit")


@pytest.fixture
def admin_client(db):
    moderator = get_user_model().objects.create_superuser("moderator", "mod@example.com", None)
    client = Client()
    client.force_login(moderator)
    client.moderator = moderator
    return client


def reported(conv, reporter, message=None, reason="scam"):
    report, _ = services.report_create(reporter=reporter, conversation=conv, message=message, reason=reason, note="<b>bold</b> note")
    return report


def change_url(report) -> str:
    return reverse("admin:parley_safety_report_change", args=[report.pk])


def test_the_queue_shows_open_reports_first_oldest_first(admin_client):
    alice, bob, carol, conv = f.trio()
    other = f.conversation(buyer=carol, seller=alice)
    first = reported(conv, alice)
    second = reported(other, carol)
    third = reported(conv, bob)
    services.report_close(moderator=admin_client.moderator, report=first, resolution="no issue")
    page = admin_client.get(reverse("admin:parley_safety_report_changelist")).content.decode()
    order = [int(pk) for pk in re.findall(r'/admin/parley_safety/report/(\d+)/change/', page)]
    assert list(dict.fromkeys(order)) == [second.pk, third.pk, first.pk]
    only_open = admin_client.get(reverse("admin:parley_safety_report_changelist"), {"status__exact": "open"}).content.decode()
    assert f"/admin/parley_safety/report/{first.pk}/change/" not in only_open
    by_reason = admin_client.get(reverse("admin:parley_safety_report_changelist"), {"reason__exact": "spam"})
    assert by_reason.status_code == 200


def test_the_change_page_shows_the_message_in_its_context_escaped(admin_client):
    alice, bob, _carol, conv = f.trio()
    sent = [f.send(conv, bob if i % 2 else alice, f"message {i} <script>alert({i})</script>") for i in range(14)]
    target = sent[7]
    services.moderation_hide_message(moderator=admin_client.moderator, message=sent[5])
    report = reported(conv, alice, target)
    page = admin_client.get(change_url(report)).content.decode()
    for m in sent[2:13]:  # five before, the reported one, five after
        assert f"message {m.seq - 1} &lt;script&gt;alert({m.seq - 1})&lt;/script&gt;" in page
    assert "message 1 &lt;script" not in page and "message 13 &lt;script" not in page
    assert "<script>alert(" not in page
    assert "hidden by moderation" in page
    assert '<tr class="reported">' in page
    assert "&lt;b&gt;bold&lt;/b&gt; note" in page
    for form in ("moderation-hide", "moderation-warn", "moderation-suspend", "moderation-close"):
        assert f'id="{form}"' in page
    # No form to edit the report itself, and none to add or delete one.
    assert 'name="_save"' not in page
    assert admin_client.get(reverse("admin:parley_safety_report_add")).status_code == 403
    assert admin_client.get(reverse("admin:parley_safety_report_delete", args=[report.pk])).status_code == 403


def test_hide_from_the_admin_hides_once_and_is_recorded(admin_client):
    alice, bob, _carol, conv = f.trio()
    message = f.send(conv, bob, "secret scam text")
    report = reported(conv, alice, message)
    url = reverse("admin:parley_safety_report_hide", args=[report.pk])
    assert admin_client.get(url).status_code == 405
    with capture_events(expected=2):
        r = admin_client.post(url)
    assert r.status_code == 302 and r["Location"] == change_url(report)
    assert Message.objects.get(pk=message.pk).hidden_at is not None
    with capture_events(expected=0):
        admin_client.post(url)
    actions = list(ModerationAction.objects.values_list("action", "moderator_id", "target_user_id", "target_message_id", "report_id"))
    assert actions == [("hide_message", admin_client.moderator.pk, bob.pk, message.pk, report.pk)]
    page = admin_client.get(change_url(report)).content.decode()
    assert "The message was already hidden." in page


def test_warn_sends_account_warned_to_the_user_and_is_recorded(admin_client):
    alice, bob, _carol, conv = f.trio()
    report = reported(conv, alice)
    with capture_events(expected=1) as captured:
        admin_client.post(reverse("admin:parley_safety_report_warn", args=[report.pk]), {"text": "  Keep it civil.  "})
    assert [(e.user_id, e.type, e.data) for e in captured.events] == [(bob.pk, "account.warned", {"message": "Keep it civil."})]
    assert list(ModerationAction.objects.values_list("action", "target_user_id", "note")) == [("warn", bob.pk, "Keep it civil.")]
    with capture_events(expected=0):
        r = admin_client.post(reverse("admin:parley_safety_report_warn", args=[report.pk]), {"text": " "}, follow=True)
    assert "Write the warning the user will read." in r.content.decode()


def test_close_report_with_a_resolution(admin_client):
    alice, bob, _carol, conv = f.trio()
    report = reported(conv, alice)
    url = reverse("admin:parley_safety_report_close", args=[report.pk])
    admin_client.post(url, {"resolution": ""})
    assert Report.objects.get(pk=report.pk).status == "open"
    admin_client.post(url, {"resolution": "Warned the seller."})
    report.refresh_from_db()
    assert (report.status, report.resolution, report.closed_by_id) == ("closed", "Warned the seller.", admin_client.moderator.pk)
    assert report.closed_at is not None
    admin_client.post(url, {"resolution": "again"})
    assert list(ModerationAction.objects.values_list("action", flat=True)) == ["close_report"]


def test_the_record_is_read_only(admin_client):
    alice, bob, _carol, conv = f.trio()
    report = reported(conv, alice)
    services.moderation_warn(moderator=admin_client.moderator, user=bob, text="careful", report=report)
    action = ModerationAction.objects.get()
    listing = admin_client.get(reverse("admin:parley_safety_moderationaction_changelist")).content.decode()
    assert "careful" in listing
    assert admin_client.get(reverse("admin:parley_safety_moderationaction_add")).status_code == 403
    assert admin_client.get(reverse("admin:parley_safety_moderationaction_delete", args=[action.pk])).status_code == 403
    page = admin_client.get(reverse("admin:parley_safety_moderationaction_change", args=[action.pk])).content.decode()
    assert 'name="_save"' not in page
    admin_client.post(reverse("admin:parley_safety_moderationaction_change", args=[action.pk]), {"note": "rewritten"})
    assert ModerationAction.objects.get().note == "careful"


def test_non_staff_cannot_moderate(db):
    alice, bob, _carol, conv = f.trio()
    report = reported(conv, alice)
    client = Client()
    client.force_login(alice)
    r = client.post(reverse("admin:parley_safety_report_suspend", args=[report.pk]))
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    staff = f.user("helper", is_staff=True)  # staff without the moderation permission
    client.force_login(staff)
    assert client.post(reverse("admin:parley_safety_report_suspend", args=[report.pk])).status_code == 403
    assert get_user_model().objects.get(pk=bob.pk).is_active


def test_message_text_and_flags_cannot_be_edited_in_the_admin(admin_client):
    alice, bob, _carol, conv = f.trio()
    message = f.send(conv, bob, "original words")
    url = reverse("admin:parley_conversations_message_change", args=[message.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="body"' not in page and 'name="hidden_at' not in page and 'name="flags"' not in page
    admin_client.post(url, {"body": "changed words", "flags": "x", "hidden_at_0": "2026-01-01", "hidden_at_1": "00:00"})
    stored = Message.objects.get(pk=message.pk)
    assert (stored.body, stored.flags, stored.hidden_at) == ("original words", "", None)
    assert admin_client.get(reverse("admin:parley_conversations_message_add")).status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_broker", "fresh_batchers")
def test_suspend_closes_the_users_sockets_and_sessions_and_is_recorded():
    alice, bob, _carol, conv = f.trio()
    moderator = get_user_model().objects.create_superuser("moderator", "mod@example.com", None)
    report = reported(conv, alice)
    admin = Client()
    admin.force_login(moderator)
    bob_http = Client()
    bob_http.force_login(bob)
    assert bob_http.get("/api/v1/me").status_code == 200

    async def go():
        async with ASGIHarness() as h:
            cookie = await h.login(bob)
            b, a = await h.ws(cookie=cookie), await h.ws(alice)
            r = await sync_to_async(admin.post)(reverse("admin:parley_safety_report_suspend", args=[report.pk]))
            assert r.status_code == 302
            with pytest.raises(Closed) as exc:
                await b.until(lambda fr: False)
            assert exc.value.code == 4401
            with pytest.raises(Refused):
                await h.ws(cookie=cookie)
            assert (await a.request({"type": "ping"}))["type"] == "pong"

    run(go())
    assert get_user_model().objects.get(pk=bob.pk).is_active is False
    assert bob_http.get("/api/v1/me").status_code in (401, 403)
    page = bob_http.get(f"/messages/{conv.pk}/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert list(ModerationAction.objects.values_list("action", "target_user_id", "report_id")) == [("suspend", bob.pk, report.pk)]
    # Suspending again changes nothing; a moderator cannot suspend themselves.
    admin.post(reverse("admin:parley_safety_report_suspend", args=[report.pk]))
    assert ModerationAction.objects.count() == 1
    with pytest.raises(Exception) as exc:
        services.moderation_suspend(moderator=moderator, user=moderator)
    assert exc.value.code == "forbidden"


def test_bulk_actions_from_the_queue(admin_client):
    alice, bob, carol, conv = f.trio()
    other = f.conversation(buyer=carol, seller=alice)
    first, second = f.send(conv, bob, "one"), f.send(other, carol, "two")
    reports = [reported(conv, alice, first), reported(other, alice, second), reported(conv, alice)]
    url = reverse("admin:parley_safety_report_changelist")
    ids = [str(r.pk) for r in reports]
    with capture_events(expected=4):
        r = admin_client.post(url, {"action": "hide_reported_messages", "_selected_action": ids}, follow=True)
    assert "2 messages hidden." in r.content.decode()
    assert Message.objects.filter(hidden_at__isnull=False).count() == 2
    r = admin_client.post(url, {"action": "suspend_reported_users", "_selected_action": ids}, follow=True)
    assert "2 users suspended." in r.content.decode()
    assert not get_user_model().objects.filter(pk__in=[bob.pk, carol.pk], is_active=True).exists()
    assert sorted(ModerationAction.objects.values_list("action", flat=True)) == ["hide_message"] * 2 + ["suspend"] * 2


def test_the_change_page_shows_the_edit_history_and_deleted_messages(admin_client):
    from parley.conversations.services import message_delete, message_edit

    alice, bob, _carol, conv = f.trio()
    message = f.send(conv, bob, "pay me <i>first</i> by wire")
    message_edit(user=bob, message=message, body="meet at the station", revision=0)
    deleted = f.send(conv, bob, "my number is 06 12 34 56 78")
    message_delete(user=bob, message=deleted)
    report = reported(conv, alice, message)
    page = admin_client.get(change_url(report)).content.decode()
    assert "Edit history" in page and "pay me &lt;i&gt;first&lt;/i&gt; by wire" in page
    assert "meet at the station" in page
    assert "deleted by its sender" in page and "06 12 34 56 78" in page, "moderators still read a deleted text"
    plain = reported(conv, alice, deleted)
    assert "Never edited." in admin_client.get(change_url(plain)).content.decode()

"""Reports on the real database: access (a stranger's 404 is the missing one's), the service,
idempotency, the rate limit, the frame over the socket and HTTP, and POST /api/v1/reports."""

import json
import uuid

import pytest
from django.test import Client

from parley.core.errors import Invalid, NotFound, RateLimited
from parley.safety import services
from parley.safety.access import report_target_for
from parley.safety.models import Report
from tests import factories as f
from tests.support.asgi import ASGIHarness, run
from tests.support.events import capture_events

THANKS = "Thanks. Our team will review your report."


def test_a_participant_reports_the_other_persons_message_and_no_one_is_told(db, no_rate_limit):
    alice, bob, _carol, conv = f.trio()
    message = f.send(conv, bob, "pay me by wire, outside the site")
    conversation, target = report_target_for(alice, conv.pk, message.pk)
    with capture_events(expected=0):
        report, created = services.report_create(
            reporter=alice, conversation=conversation, message=target, reason="scam", note="  wants a wire transfer  ",
        )
    assert created is True
    assert (report.reporter_id, report.reported_user_id, report.conversation_id, report.message_id) == (alice.pk, bob.pk, conv.pk, message.pk)
    assert (report.reason, report.note, report.status) == ("scam", "wants a wire transfer", "open")


def test_reporting_the_conversation_reports_the_other_person(db, no_rate_limit):
    alice, bob, _carol, conv = f.trio()
    conversation, target = report_target_for(bob, conv.pk)
    assert target is None
    report, created = services.report_create(reporter=bob, conversation=conversation, reason="harassment", note="")
    assert created and report.reported_user_id == alice.pk and report.message_id is None


def test_a_stranger_gets_the_same_404_as_for_something_missing(db, no_rate_limit):
    alice, bob, carol, conv = f.trio()
    message = f.send(conv, bob, "hi")
    own = f.send(conv, alice, "mine")
    missing = [(conv.pk + 1000, None), (conv.pk, message.pk + 1000), (conv.pk, 2**70), ("x", None)]
    not_yours = [(conv.pk, None), (conv.pk, message.pk)]
    texts = set()
    for cid, mid in missing:
        with pytest.raises(NotFound) as exc:
            report_target_for(alice if mid else carol, cid, mid)
        texts.add((exc.value.code, exc.value.status))
    for cid, mid in not_yours:
        with pytest.raises(NotFound) as exc:
            report_target_for(carol, cid, mid)
        texts.add((exc.value.code, exc.value.status))
    assert texts == {("not_found", 404)}
    # One's own message cannot be reported, nor a message of another conversation through this one.
    other = f.conversation(buyer=carol, seller=alice)
    theirs = f.send(other, carol, "elsewhere")
    for mid in (own.pk, theirs.pk):
        with pytest.raises(NotFound) as exc:
            report_target_for(alice, conv.pk, mid)
        assert str(exc.value.message) == "Message not found."


def test_reporting_the_same_target_twice_while_open_is_idempotent(db, no_rate_limit):
    alice, bob, _carol, conv = f.trio()
    message = f.send(conv, bob, "spam spam")
    first, created = services.report_create(reporter=alice, conversation=conv, message=message, reason="spam", note="")
    again, created_again = services.report_create(reporter=alice, conversation=conv, message=message, reason="other", note="x")
    assert created and not created_again and again.pk == first.pk
    person, created_person = services.report_create(reporter=alice, conversation=conv, reason="spam", note="")
    assert created_person and person.pk != first.pk, "the person is another target than the message"
    assert Report.objects.count() == 2
    # Once closed, a new report of the same message is a new report.
    moderator = f.user("mod", is_staff=True)
    services.report_close(moderator=moderator, report=first, resolution="dealt with")
    third, created_third = services.report_create(reporter=alice, conversation=conv, message=message, reason="spam", note="")
    assert created_third and third.pk != first.pk


def test_reason_and_note_are_checked(db, no_rate_limit):
    alice, bob, _carol, conv = f.trio()
    for reason, note, field in (("nope", "", "reason"), ("", "", "reason"), ("spam", "x" * 1001, "note"), ("spam", "a\x00b", "note"), ("spam", 3, "note")):
        with pytest.raises(Invalid) as exc:
            services.report_create(reporter=alice, conversation=conv, reason=reason, note=note)
        assert exc.value.details["field"] == field
    services.report_create(reporter=alice, conversation=conv, reason="other", note="y" * 1000)


def test_reports_are_rate_limited_and_a_repeat_is_not_counted(db, settings, rate_clock):
    settings.PARLEY_REPORT_RATE = "2/60"
    alice, bob, _carol, conv = f.trio()
    messages = [f.send(conv, bob, f"m{i}") for i in range(3)]
    services.report_create(reporter=alice, conversation=conv, message=messages[0], reason="spam")
    services.report_create(reporter=alice, conversation=conv, message=messages[0], reason="spam")  # repeat: free
    services.report_create(reporter=alice, conversation=conv, message=messages[1], reason="spam")
    with pytest.raises(RateLimited) as exc:
        services.report_create(reporter=alice, conversation=conv, message=messages[2], reason="spam")
    assert exc.value.details["retry_after"] >= 1
    assert str(exc.value.message).startswith("You have sent many reports in a short time.")
    rate_clock.advance(60)
    services.report_create(reporter=alice, conversation=conv, message=messages[2], reason="spam")
    assert Report.objects.count() == 3


def test_an_inactive_user_cannot_report(db, no_rate_limit):
    alice, bob, _carol, conv = f.trio()
    alice.is_active = False
    alice.save()
    with pytest.raises(Exception) as exc:
        services.report_create(reporter=alice, conversation=conv, reason="spam")
    assert getattr(exc.value, "code", None) == "forbidden"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_broker", "fresh_batchers")
def test_the_report_frame_over_the_socket_in_french_and_nothing_pushed_to_the_reported(rate_clock):
    alice, bob, carol, conv = f.trio()

    async def go():
        async with ASGIHarness() as h:
            a = await h.ws(alice, headers=[(b"accept-language", b"fr")])
            b = await h.ws(bob)
            sent = await b.request({"type": "send", "conversation_id": conv.pk, "body": "buy it elsewhere", "client_msg_id": str(uuid.uuid4())})
            message_id = sent["message"]["id"]
            await a.event(lambda fr: fr.get("event") == "message.created")
            ack = await a.request({"type": "report", "conversation_id": conv.pk, "message_id": message_id, "reason": "scam", "note": "off-site"})
            assert (ack["type"], ack["created"], ack["message"]) == ("ack", True, "Merci. Notre équipe va examiner votre signalement.")
            again = await a.request({"type": "report", "conversation_id": conv.pk, "message_id": message_id, "reason": "scam"})
            assert (again["report_id"], again["created"]) == (ack["report_id"], False)
            error = await a.request({"type": "report", "conversation_id": conv.pk, "reason": "because"})
            assert (error["type"], error["code"], error["details"]["field"]) == ("error", "invalid", "reason")
            c = await h.ws(carol)
            error = await c.request({"type": "report", "conversation_id": conv.pk, "message_id": message_id, "reason": "spam"})
            assert (error["type"], error["code"]) == ("error", "not_found")
            # Bob hears nothing of it: no event about a report reached his socket.
            heard = await b.flush()
            assert not [fr for fr in heard if fr.get("type") == "event" and fr.get("event") != "message.created"]

    run(go())
    assert Report.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fresh_broker", "fresh_batchers")
def test_the_frame_over_http_and_the_rest_endpoint(rate_clock):
    alice, bob, carol, conv = f.trio()
    message = f.send(conv, bob, "hi")
    http = Client()
    http.force_login(alice)

    def post(path, body):
        r = http.post(path, json.dumps(body), content_type="application/json")
        return r.status_code, r.json()

    status, body = post("/api/v1/frames", {"type": "report", "conversation_id": conv.pk, "message_id": message.pk, "reason": "spam"})
    assert (status, body["type"], body["created"], body["message"]) == (200, "ack", True, THANKS)
    status, body = post("/api/v1/reports", {"conversation_id": conv.pk, "message_id": message.pk, "reason": "spam"})
    assert (status, body["created"], body["message"]) == (200, False, THANKS)
    status, body = post("/api/v1/reports", {"conversation_id": conv.pk, "reason": "prohibited", "note": "sells a weapon"})
    assert (status, body["created"], set(body)) == (201, True, {"report_id", "created", "message"})
    assert Report.objects.get(pk=body["report_id"]).reported_user_id == bob.pk
    assert post("/api/v1/reports", {"conversation_id": conv.pk, "reason": "meh"})[1]["error"]["details"]["field"] == "reason"
    assert post("/api/v1/reports", {"conversation_id": "3", "reason": "spam"})[0] == 422
    stranger = Client()
    stranger.force_login(carol)
    for payload in ({"conversation_id": conv.pk, "reason": "spam"}, {"conversation_id": 10**9, "reason": "spam"},
                    {"conversation_id": conv.pk, "message_id": message.pk, "reason": "spam"}):
        r = stranger.post("/api/v1/reports", json.dumps(payload), content_type="application/json")
        assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    assert Client().post("/api/v1/reports", "{}", content_type="application/json").status_code == 401
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(alice)
    r = csrf.post("/api/v1/reports", json.dumps({"conversation_id": conv.pk, "reason": "spam"}), content_type="application/json")
    assert r.status_code == 403

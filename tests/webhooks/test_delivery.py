"""Deliveries against a real HTTP receiver on 127.0.0.1: one per event and endpoint, signed,
retried with backoff while the receiver is down (the clock moves, nothing sleeps), never twice."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from parley.conversations import services as conversations
from parley.stream.append import Event
from parley.webhooks import services, tasks
from parley.webhooks.models import Delivery, Endpoint
from parley.webhooks.signing import verify_signature
from parley.webhooks.sink import webhook_sink
from tests import factories as f

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("local_hooks", "no_rate_limit")]


def endpoint(url, *types, **extra) -> Endpoint:
    return Endpoint.objects.create(url=url, event_types=list(types), **extra)


def test_a_message_makes_one_signed_delivery_per_subscribed_endpoint(receiver):
    first = endpoint(receiver.url + "?n=1", "message.created")
    second = endpoint(receiver.url + "?n=2", "message.created", "conversation.read")
    reads_only = endpoint(receiver.url + "?n=3", "conversation.read")
    inactive = endpoint(receiver.url + "?n=4", "message.created", active=False)
    alice, bob, _carol, conv = f.trio()

    message = f.send(conv, bob, "Is it still available?")

    deliveries = Delivery.objects.filter(event_type="message.created")
    assert sorted(d.endpoint_id for d in deliveries) == [first.pk, second.pk]
    assert not Delivery.objects.filter(endpoint__in=[reads_only, inactive]).exists()
    assert all(d.status == Delivery.Status.SUCCEEDED and d.attempts == 1 and d.last_status_code == 200 for d in deliveries)
    assert sorted(r["path"] for r in receiver.requests) == ["/hooks/parley?n=1", "/hooks/parley?n=2"]

    secrets = {"/hooks/parley?n=1": first.secret, "/hooks/parley?n=2": second.secret}
    for request in receiver.requests:
        headers, body = request["headers"], request["body"]
        assert headers["Content-Type"] == "application/json"
        assert headers["Parley-Event"] == "message.created"
        assert verify_signature(secrets[request["path"]], headers["Parley-Signature"], body)
        assert not verify_signature(first.secret if request["path"].endswith("2") else second.secret,
                                    headers["Parley-Signature"], body)
    payloads = receiver.bodies()
    assert {p["id"] for p in payloads} == {str(d.id) for d in deliveries}
    assert {r["headers"]["Parley-Delivery"] for r in receiver.requests} == {str(d.id) for d in deliveries}
    payload = payloads[0]
    assert payload["type"] == "message.created" and payload["created_at"].endswith("Z")
    assert payload["data"] == {
        "message_id": message.pk,
        "conversation_id": conv.pk,
        "listing_id": conv.listing_id,
        "sender_id": bob.pk,
        "recipient_id": alice.pk,
        "body": "Is it still available?",
        "created_at": message.created_at.isoformat().replace("+00:00", "Z"),
    }


def test_a_read_makes_one_delivery_from_the_readers_copy(receiver):
    endpoint(receiver.url, "conversation.read")
    alice, bob, _carol, conv = f.trio()
    f.send(conv, bob, "hi")
    f.send(conv, bob, "still there?")
    assert receiver.requests == []  # not subscribed to message.created

    conversations.conversation_mark_read(user=alice, conversation=conv)

    assert [p["data"] for p in receiver.bodies()] == [{"conversation_id": conv.pk, "reader_id": alice.pk, "seq": 2}]
    assert Delivery.objects.get().status == Delivery.Status.SUCCEEDED


def test_a_receiver_that_is_down_gets_retries_until_it_is_back_then_exactly_one(down_receiver, hook_clock):
    endpoint(down_receiver.url, "message.created")
    _alice, bob, _carol, conv = f.trio()

    f.send(conv, bob, "hello")  # port closed: the first attempt fails, the message is sent

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.last_error == "connection refused" and delivery.last_status_code is None
    assert delivery.next_attempt_at == hook_clock.now + services.backoff(1)

    hook_clock.advance(29)
    assert services.deliveries_run_due() == 0  # not due before its 30 s

    down_receiver.status = 500
    down_receiver.start()
    hook_clock.advance(1)
    assert services.deliveries_run_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        Delivery.Status.PENDING, 2, 500, "HTTP 500")
    assert delivery.next_attempt_at == hook_clock.now + services.backoff(2)

    down_receiver.status = 200
    hook_clock.advance(120)
    assert services.deliveries_run_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED and delivery.attempts == 3
    assert delivery.delivered_at == hook_clock.now and delivery.last_error == ""
    assert len(down_receiver.requests) == 2  # the 500 and the success; the refused one never arrived
    assert len({r["headers"]["Parley-Delivery"] for r in down_receiver.requests}) == 1

    # Done means done: later runs and a re-run of the task post nothing more.
    hook_clock.advance(24 * 3600)
    assert services.deliveries_run_due() == 0
    assert tasks.deliver.call(str(delivery.id)) is None
    assert len(down_receiver.requests) == 2


def test_retries_stop_after_the_retry_window(down_receiver, hook_clock, settings):
    settings.PARLEY_WEBHOOK_RETRY_FOR = 3 * 3600
    endpoint(down_receiver.url, "message.created")
    _alice, bob, _carol, conv = f.trio()
    f.send(conv, bob, "hello")
    attempts, delivery = 1, Delivery.objects.get()
    while delivery.status == Delivery.Status.PENDING and attempts < 20:
        hook_clock.now = delivery.next_attempt_at  # each retry exactly when it is due
        attempts += services.deliveries_run_due()
        delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.next_attempt_at is None
    # Attempts at 0, 30 s, 2.5 min, 12.5 min and 72.5 min; the next (3 h later) is past the 3 h.
    assert delivery.attempts == attempts == 5


def test_a_redirect_is_a_failure_and_is_not_followed(receiver, hook_clock):
    receiver.status = 302
    endpoint(receiver.url, "message.created")
    _alice, bob, _carol, conv = f.trio()
    f.send(conv, bob, "hello")
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.last_status_code == 302
    assert "redirects are not followed" in delivery.last_error
    assert len(receiver.requests) == 1


def test_a_failing_endpoint_or_sink_never_makes_sending_fail(down_receiver, monkeypatch, caplog):
    endpoint(down_receiver.url, "message.created")
    _alice, bob, _carol, conv = f.trio()
    assert f.send(conv, bob, "one").pk  # the endpoint is down

    def broken(*args, **kwargs):
        raise RuntimeError("the task queue is away")

    monkeypatch.setattr(tasks, "fan_out", SimpleNamespace(enqueue=broken))
    assert f.send(conv, bob, "two").pk
    assert "webhooks: 2 committed events were not handed on" in caplog.text
    assert conv.messages.count() == 2


def test_without_a_subscribed_endpoint_the_sink_makes_no_query():
    endpoint("http://127.0.0.1:9/", "conversation.read")
    events = [Event(1, 5, "message.created", {"message": {}, "conversation": {}})]
    webhook_sink(events)  # loads the subscribed types
    with CaptureQueriesContext(connection) as queries:
        webhook_sink(events)
    assert len(queries) == 0


def test_with_the_database_backend_the_sink_makes_one_insert_and_a_failure_is_deferred(down_receiver, hook_clock):
    from django_tasks_db.models import DBTaskResult

    endpoint(down_receiver.url, "message.created")
    alice, bob, _carol, conv = f.trio()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        message = f.send(conv, bob, "hello")
        assert DBTaskResult.objects.filter(task_path="parley.webhooks.tasks.fan_out").count() == 1

        copies = [Event(bob.pk, 9, "message.created", {"message": {"id": message.pk, "conversation_id": conv.pk,
                  "sender_id": bob.pk, "body": "x", "created_at": "2026-01-01T00:00:00Z"},
                  "conversation": {"listing": {"id": 1}, "other": {"id": alice.pk}}}),
                  Event(alice.pk, 9, "message.created", {"message": {"sender_id": bob.pk}, "conversation": {}})]
        webhook_sink(copies)  # warm
        with CaptureQueriesContext(connection) as queries:
            webhook_sink(copies)
        assert len(queries) == 1 and queries[0]["sql"].startswith("INSERT")

        [task] = DBTaskResult.objects.filter(task_path="parley.webhooks.tasks.fan_out")[:1]
        tasks.fan_out.call(*task.args_kwargs["args"])
        [pk] = Delivery.objects.values_list("pk", flat=True)
        assert tasks.deliver.call(str(pk)) == "pending"  # refused: the port is closed
        retry = DBTaskResult.objects.filter(task_path="parley.webhooks.tasks.deliver").order_by("-enqueued_at")[0]
        assert retry.run_after == hook_clock.now + services.backoff(1)


def test_fan_out_twice_makes_no_second_delivery(receiver, hook_clock):
    endpoint(receiver.url, "message.created")
    items = '[{"type": "message.created", "key": "message:41", "data": {"message_id": 41}}]'
    assert tasks.fan_out.call(items, hook_clock.now.isoformat()) == 1
    assert tasks.fan_out.call(items, hook_clock.now.isoformat()) == 0
    assert Delivery.objects.count() == 1 and len(receiver.requests) == 1


def test_an_inactive_endpoints_pending_deliveries_fail(down_receiver, hook_clock):
    hook = endpoint(down_receiver.url, "message.created")
    _alice, bob, _carol, conv = f.trio()
    f.send(conv, bob, "hello")
    hook.active = False
    hook.save()
    down_receiver.start()
    hook_clock.advance(30)
    assert services.deliveries_run_due() == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.last_error == "the endpoint is inactive"
    assert down_receiver.requests == []


def test_the_database_worker_delivers_and_defers_the_retry(receiver, down_receiver):
    """The production path: the sink queues fan_out, `db_worker --batch` records and posts."""
    from io import StringIO

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    endpoint(receiver.url, "message.created")
    endpoint(down_receiver.url, "message.created")
    _alice, bob, _carol, conv = f.trio()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        f.send(conv, bob, "hello")
        assert receiver.requests == [] and not Delivery.objects.exists()  # nothing on the sending thread

        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=StringIO())

    assert len(receiver.requests) == 1
    statuses = dict(Delivery.objects.values_list("endpoint__url", "status"))
    assert statuses == {receiver.url: Delivery.Status.SUCCEEDED, down_receiver.url: Delivery.Status.PENDING}
    retry = DBTaskResult.objects.get(task_path="parley.webhooks.tasks.deliver", status="READY")
    assert retry.run_after == Delivery.objects.get(status=Delivery.Status.PENDING).next_attempt_at

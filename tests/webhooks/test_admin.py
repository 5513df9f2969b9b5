"""The admin: endpoints are registered with a server-made secret and checked URLs; deliveries
are read-only; the test-event and retry actions queue deliveries."""

import re

import pytest
from django.test import Client

from parley.webhooks.models import Delivery, Endpoint
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(f.user("root", is_staff=True, is_superuser=True))
    return client


def add(client, url, types=("message.created",), **extra):
    return client.post("/admin/parley_webhooks/endpoint/add/",
                       {"url": url, "description": "shop", "event_types": list(types), "active": "on", **extra})


@pytest.mark.usefixtures("local_hooks")
def test_the_endpoint_pages_load_and_an_endpoint_gets_a_secret(admin_client, receiver):
    page = admin_client.get("/admin/parley_webhooks/endpoint/add/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="message.created"' in html and 'value="conversation.read"' in html
    assert 'name="secret"' not in html  # made by the server, never typed

    response = add(admin_client, receiver.url, types=["message.created", "conversation.read"],
                   secret="whsec_mine")
    assert response.status_code == 302, response.content.decode()[:3000]
    endpoint = Endpoint.objects.get()
    assert endpoint.event_types == ["message.created", "conversation.read"]
    assert endpoint.secret.startswith("whsec_") and endpoint.secret != "whsec_mine"

    change = admin_client.get(f"/admin/parley_webhooks/endpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret in change and 'name="secret"' not in change  # shown, read-only

    listing = admin_client.get("/admin/parley_webhooks/endpoint/")
    assert listing.status_code == 200 and receiver.url in listing.content.decode()


@pytest.mark.usefixtures("strict_hooks")
@pytest.mark.parametrize("url, error", [
    ("http://hooks.example.com/p", "Use an https:// URL."),
    ("https://127.0.0.1/p", "The URL points at a private, loopback, link-local or reserved address."),
    ("https://169.254.169.254/latest/meta-data/", "The URL points at a private, loopback, link-local or reserved address."),
    ("https://[::1]/p", "The URL points at a private, loopback, link-local or reserved address."),
    ("https://localhost/p", "The URL points at this machine."),
])
def test_the_admin_refuses_unsafe_urls(admin_client, url, error):
    response = add(admin_client, url)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Endpoint.objects.exists()


@pytest.mark.usefixtures("strict_hooks")
def test_the_admin_accepts_a_public_https_url(admin_client, resolve_as):
    resolve_as({"hooks.example.com": ["93.184.216.34"]})
    assert add(admin_client, "https://hooks.example.com/parley").status_code == 302
    assert Endpoint.objects.get().url == "https://hooks.example.com/parley"


@pytest.mark.usefixtures("local_hooks")
def test_deliveries_are_read_only_and_the_actions_queue_them(admin_client, receiver, hook_clock):
    endpoint = Endpoint.objects.create(url=receiver.url, event_types=["message.created"])

    response = admin_client.post("/admin/parley_webhooks/endpoint/",
                                 {"action": "send_test_event", "_selected_action": [endpoint.pk]})
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.event_type == "ping" and delivery.status == Delivery.Status.SUCCEEDED
    assert receiver.bodies()[0]["data"] == {"endpoint_id": endpoint.pk}

    listing = admin_client.get("/admin/parley_webhooks/delivery/")
    assert listing.status_code == 200 and "succeeded" in listing.content.decode()
    assert admin_client.get("/admin/parley_webhooks/delivery/add/").status_code == 403
    url = f"/admin/parley_webhooks/delivery/{delivery.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and "<input" not in re.sub(r'<input type="hidden"[^>]*>', "", html.split('id="content-main"')[1])
    assert admin_client.post(url, {"status": "pending"}).status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED

    # Retry now: a failed delivery gets one more attempt; a succeeded one is left alone.
    failed = Delivery.objects.create(endpoint=endpoint, event_type="message.created", event_key="message:1",
                                     payload={"message_id": 1}, status=Delivery.Status.FAILED, attempts=7,
                                     created_at=hook_clock.now)
    admin_client.post("/admin/parley_webhooks/delivery/",
                      {"action": "retry_now", "_selected_action": [str(failed.pk), str(delivery.pk)]})
    failed.refresh_from_db()
    assert failed.status == Delivery.Status.SUCCEEDED and failed.attempts == 8
    assert len(receiver.requests) == 2


@pytest.mark.usefixtures("local_hooks")
def test_the_endpoint_list_counts_recent_failures(admin_client, receiver, hook_clock):
    endpoint = Endpoint.objects.create(url=receiver.url, event_types=["message.created"])
    for n in range(3):
        Delivery.objects.create(endpoint=endpoint, event_type="message.created", event_key=f"message:{n}",
                                payload={}, status=Delivery.Status.FAILED, created_at=hook_clock.now)
    html = admin_client.get("/admin/parley_webhooks/endpoint/").content.decode()
    assert re.search(r'<td class="field-failed_today">3</td>', html), html[-4000:]


@pytest.mark.usefixtures("local_hooks")
def test_the_admin_in_french(admin_client):
    html = admin_client.get("/admin/parley_webhooks/endpoint/add/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Types d’événements" in html

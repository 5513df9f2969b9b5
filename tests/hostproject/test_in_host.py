"""Parley installed in a marketplace that is not the demo (run by tests/test_host_project.py)."""

import sys
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.contrib.auth import get_user_model
from django.db.migrations.loader import MigrationLoader

from parley.conf import DEFAULTS
from parley.conf import settings as parley_settings
from parley.conversations import services
from parley.conversations.listings import listing_adapter, listing_model
from parley.conversations.models import Conversation
from parley.core.errors import Forbidden
from parley.stream.models import StreamEvent
from shop.adapter import ItemAdapter
from shop.models import Item

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    User = get_user_model()
    return {name: User.objects.create_user(name, password="pw-" + name) for name in ("owner", "buyer", "stranger")}


@pytest.fixture
def item(people):
    return Item.objects.create(name="Walnut writing desk", owner=people["owner"], cost_cents=12550)


@pytest.fixture
def conversation(people, item):
    conversation, created = services.conversation_start(buyer=people["buyer"], listing=item)
    assert created
    return conversation


def test_demo_marketplace_is_not_installed_nor_imported(client, people, conversation):
    assert not apps.is_installed("parley.marketplace")
    assert not apps.is_installed("parley.accounts")
    client.force_login(people["buyer"])
    assert client.get(f"/messages/{conversation.pk}/").status_code == 200
    assert client.get("/messages/").status_code == 200
    assert client.get(f"/api/v1/conversations/{conversation.pk}").status_code == 200
    assert "parley.marketplace" not in sys.modules


def test_listing_model_and_adapter_come_from_settings():
    assert listing_model() is Item
    assert isinstance(listing_adapter(), ItemAdapter)
    assert Conversation._meta.get_field("listing").related_model is Item


def test_conversations_migration_depends_on_the_hosts_listing_migration():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    assert ("shop", "0001_initial") in graph.node_map[("parley_conversations", "0001_initial")].parents
    assert not any(app == "marketplace" for app, _name in graph.nodes)


def test_unset_parley_settings_fall_back_to_defaults():
    for name, default in DEFAULTS.items():
        if name in ("PARLEY_LISTING_ADAPTER", "PARLEY_DEALS_LISTING_WRITER"):  # the host's own mapping
            continue
        assert not hasattr(django_settings, name), f"the host sets {name}; this test wants it unset"
        assert getattr(parley_settings, name) == (default() if callable(default) else default)
    assert parley_settings.PARLEY_BROKER == "memory"


def test_card_is_built_through_the_item_adapter(item, conversation):
    card = listing_adapter().card(conversation.listing)
    assert card.title == "Walnut writing desk"
    assert card.price == Decimal("125.50")
    assert card.currency == "USD"
    assert card.seller_id == item.owner_id
    assert (card.status, card.status_label) == ("available", "For sale")
    assert card.url == f"/items/{item.pk}/"
    assert card.photo_url == ""
    item.sold = True
    item.save()
    sold = listing_adapter().card(Item.objects.get(pk=item.pk))
    assert (sold.status, sold.status_label) == ("sold", "Sold")


def test_start_and_send_through_services(people, item, conversation):
    again, created = services.conversation_start(buyer=people["buyer"], listing=item)
    assert (again.pk, created) == (conversation.pk, False)
    assert (conversation.buyer_id, conversation.seller_id) == (people["buyer"].pk, people["owner"].pk)

    client_msg_id = uuid.uuid4()
    message, created = services.message_send(
        sender=people["buyer"], conversation=conversation, body="Is the desk still available?", client_msg_id=client_msg_id
    )
    assert created and message.seq == 1
    retry, created = services.message_send(
        sender=people["buyer"], conversation=conversation, body="Is the desk still available?", client_msg_id=client_msg_id
    )
    assert (retry.pk, created) == (message.pk, False)

    for user in (people["buyer"], people["owner"]):
        event = StreamEvent.objects.get(user_id=user.pk, type="message.created")
        assert event.payload["conversation"]["listing"]["title"] == "Walnut writing desk"
        assert event.payload["conversation"]["listing"]["price"] == "125.50"
    assert not StreamEvent.objects.filter(user_id=people["stranger"].pk).exists()


def test_owner_cannot_start_a_conversation_about_their_own_item(people, item):
    with pytest.raises(Forbidden) as caught:
        services.conversation_start(buyer=people["owner"], listing=item)
    assert caught.value.code == "own_listing"
    assert not Conversation.objects.exists()


def test_participants_see_the_conversation_page_and_api(client, people, conversation):
    services.message_send(sender=people["buyer"], conversation=conversation, body="Hello there", client_msg_id=uuid.uuid4())
    for name in ("buyer", "owner"):
        client.force_login(people[name])
        page = client.get(f"/messages/{conversation.pk}/")
        assert page.status_code == 200
        assert "Walnut writing desk" in page.content.decode()
        api = client.get(f"/api/v1/conversations/{conversation.pk}")
        assert api.status_code == 200
        assert api.json()["conversation"]["listing"]["title"] == "Walnut writing desk"
        assert api.json()["conversation"]["listing"]["status"] == "available"
        inbox = client.get("/messages/")
        assert inbox.status_code == 200
        assert "Walnut writing desk" in inbox.content.decode()


def test_a_stranger_gets_404_everywhere(client, people, conversation):
    client.force_login(people["stranger"])
    assert client.get(f"/messages/{conversation.pk}/").status_code == 404
    response = client.get(f"/api/v1/conversations/{conversation.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/conversations/{conversation.pk}/messages").status_code == 404


def test_logged_out_gets_the_hosts_login_page_and_api_401(client, conversation):
    response = client.get(f"/messages/{conversation.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert client.get(f"/api/v1/conversations/{conversation.pk}").status_code == 401


def test_contact_seller_from_the_hosts_item_page(client, people, item):
    client.force_login(people["buyer"])
    response = client.post(f"/messages/start/{item.pk}/")
    conversation = Conversation.objects.get(listing=item, buyer=people["buyer"])
    assert response.status_code == 302 and response["Location"] == f"/messages/{conversation.pk}/"
    # The owner is sent back to their item, with the refusal as a flash message.
    client.force_login(people["owner"])
    response = client.post(f"/messages/start/{item.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/items/{item.pk}/"
    assert Conversation.objects.count() == 1


def test_api_creates_a_conversation_about_an_item(client, people, item):
    client.force_login(people["buyer"])
    response = client.post("/api/v1/conversations", {"listing_id": item.pk}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["conversation"]["listing"]["title"] == "Walnut writing desk"
    client.force_login(people["owner"])
    response = client.post("/api/v1/conversations", {"listing_id": item.pk}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "own_listing"


def test_the_page_shell_and_its_assets_resolve_in_the_host(client, people, conversation):
    client.force_login(people["buyer"])
    html = client.get(f"/messages/{conversation.pk}/").content.decode()
    for asset in ("vendor/bootstrap/css/bootstrap.min.css", "parley/css/parley.css", "parley/js/app.js"):
        assert f"/static/{asset}" in html
        assert finders.find(asset), f"{asset} is not found by the host's static files finders"
    assert 'data-ws-path="/ws/"' in html
    assert f'data-api-url="/api/v1/conversations/{conversation.pk}/messages"' in html
    assert "/marketplace/" not in html  # the demo's links are left out, not broken


# ---------- parley.deals in the host: its Item, its currency, its own status fields ----------


def test_offers_on_the_hosts_item_in_its_currency_reserve_it_through_its_writer(people, item, conversation):
    from parley.deals import services as deals

    offer = deals.offer_make(buyer=people["buyer"], conversation=conversation, amount="110.25")
    assert (offer.currency, str(offer.amount)) == ("USD", "110.25")
    deals.offer_respond(user=people["owner"], offer=offer, action="accept")
    item.refresh_from_db()
    assert (item.on_hold, item.sold) == (True, False)
    events = list(StreamEvent.objects.filter(user=people["buyer"], type="listing.changed"))
    assert [e.payload["listing"]["status_label"] for e in events] == ["On hold"]


def test_the_host_changing_its_item_calls_listing_changed(people, item, conversation):
    from parley.deals import services as deals
    from parley.deals.models import Offer

    deals.offer_make(buyer=people["buyer"], conversation=conversation, amount="100")
    item.sold, item.cost_cents = True, 9900
    item.save()
    deals.listing_changed(item, old_status="available", old_price=Decimal("125.50"))
    assert Offer.objects.get().state == "declined"
    changes = [e.payload["change"] for e in StreamEvent.objects.filter(user=people["buyer"], type="listing.changed").order_by("seq")]
    assert [(c["kind"], c["old"], c["new"]) for c in changes] == [("status", "available", "sold"), ("price", "125.50", "99.00")]


def test_the_deal_bar_is_on_the_hosts_conversation_page(client, people, conversation):
    client.force_login(people["owner"])
    html = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert 'id="deal-bar"' in html and 'data-status="reserved"' in html

"""The settings page's "Quick replies" section: list, add, edit, delete, move; CSRF; 404s."""

import pytest
from django.test import Client

from parley.quickreplies import services
from parley.quickreplies.models import MAX_PER_USER, QuickReply
from tests import factories as f

pytestmark = pytest.mark.django_db


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_section_lists_defaults_and_add_edit_delete_work():
    alice = f.user("alice")
    client = logged_in(alice)
    page = client.get("/settings/").content.decode()
    assert 'id="settings-quick-replies"' in page and "The price is firm, sorry." in page
    r = client.post("/settings/quick-replies/add/", {"text": "Pick-up only <please>"}, follow=True)
    assert r.redirect_chain[-1][0] == "/settings/" and "Quick reply added." in r.content.decode()
    assert "Pick-up only &lt;please&gt;" in r.content.decode()
    reply = QuickReply.objects.get(user=alice, text="Pick-up only <please>")
    r = client.post(f"/settings/quick-replies/{reply.pk}/edit/", {"text": "Pick-up only."}, follow=True)
    assert "Quick reply saved." in r.content.decode()
    assert QuickReply.objects.get(pk=reply.pk).text == "Pick-up only."
    r = client.post(f"/settings/quick-replies/{reply.pk}/delete/", follow=True)
    assert "Quick reply deleted." in r.content.decode() and not QuickReply.objects.filter(pk=reply.pk).exists()


def test_french_page_shows_the_french_section():
    bob = f.user("bob")
    page = logged_in(bob, HTTP_ACCEPT_LANGUAGE="fr").get("/settings/").content.decode()
    assert "Réponses rapides" in page and "toujours disponible" in page


def test_bad_text_and_the_limit_are_clear_flashes():
    alice = f.user("alice")
    client = logged_in(alice)
    r = client.post("/settings/quick-replies/add/", {"text": "   "}, follow=True)
    assert "Write the quick reply" in r.content.decode()
    while QuickReply.objects.filter(user=alice).count() < MAX_PER_USER:
        services.quick_reply_create(user=alice, text="more")
    page = client.get("/settings/").content.decode()
    assert 'id="quick-replies-full"' in page and 'id="quick-reply-add"' not in page
    r = client.post("/settings/quick-replies/add/", {"text": "one more"}, follow=True)
    assert "the most you can keep" in r.content.decode()
    assert QuickReply.objects.filter(user=alice).count() == MAX_PER_USER


def test_reorder_with_up_and_down():
    alice = f.user("alice")
    first, second, third = services.quick_replies_for(user=alice)
    client = logged_in(alice)
    r = client.post(f"/settings/quick-replies/{third.pk}/move/", {"direction": "up"}, follow=True)
    assert "Quick reply moved." in r.content.decode()
    assert [q.pk for q in services.quick_replies_for(user=alice)] == [first.pk, third.pk, second.pk]
    client.post(f"/settings/quick-replies/{first.pk}/move/", {"direction": "down"})
    assert [q.pk for q in services.quick_replies_for(user=alice)] == [third.pk, first.pk, second.pk]


def test_someone_elses_reply_is_a_404_and_nothing_changes():
    alice, bob = f.user("alice"), f.user("bob")
    theirs = services.quick_replies_for(user=alice)[0]
    client = logged_in(bob)
    for action, data in (("edit", {"text": "mine now"}), ("delete", {}), ("move", {"direction": "down"})):
        assert client.post(f"/settings/quick-replies/{theirs.pk}/{action}/", data).status_code == 404
        assert client.post(f"/settings/quick-replies/999999/{action}/", data).status_code == 404
    assert QuickReply.objects.get(pk=theirs.pk).text == theirs.text and theirs.position == 0


def test_actions_need_post_csrf_and_a_login():
    alice = f.user("alice")
    reply = services.quick_replies_for(user=alice)[0]
    assert logged_in(alice).get(f"/settings/quick-replies/{reply.pk}/delete/").status_code == 405
    strict = logged_in(alice, enforce_csrf_checks=True)
    assert strict.post(f"/settings/quick-replies/{reply.pk}/delete/").status_code == 403
    assert strict.post("/settings/quick-replies/add/", {"text": "hi"}).status_code == 403
    assert Client().post("/settings/quick-replies/add/", {"text": "hi"}).status_code == 302
    assert QuickReply.objects.filter(user=alice).count() == 3


def test_conversation_page_has_the_button_and_the_replies():
    alice, bob, _carol, conv = f.trio()
    page = logged_in(alice).get(f"/messages/{conv.pk}/").content.decode()
    assert 'aria-label="Quick replies"' in page and "The price is firm, sorry." in page

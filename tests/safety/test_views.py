"""/settings/: the blocked people and Unblock; log-in redirect, CSRF, 404 for strangers."""

import pytest
from django.test import Client

from parley.safety import services
from parley.safety.models import Block
from tests import factories as f


def as_user(user, **kw) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def test_settings_lists_only_my_blocks_and_unblock_removes_one(db):
    alice, bob, carol, _conv = f.trio()
    f.conversation(buyer=carol, seller=bob)
    services.block_create(blocker=alice, blocked=bob)
    services.block_create(blocker=bob, blocked=carol)
    page = as_user(alice).get("/settings/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="blocked-list"' in text and f'data-user-id="{bob.pk}"' in text and f'data-user-id="{carol.pk}"' not in text
    r = as_user(alice).post(f"/settings/unblock/{bob.pk}/", follow=True)
    assert r.redirect_chain[-1][0] == "/settings/"
    assert "You unblocked" in r.content.decode() and 'id="blocked-empty"' in r.content.decode()
    assert list(Block.objects.values_list("blocker_id", "blocked_id")) == [(bob.pk, carol.pk)]


def test_settings_is_in_french_too(db):
    alice, bob, _carol, _conv = f.trio()
    services.block_create(blocker=alice, blocked=bob)
    text = as_user(alice, HTTP_ACCEPT_LANGUAGE="fr").get("/settings/").content.decode()
    assert "Personnes bloquées" in text and "Débloquer" in text


def test_logged_out_is_sent_to_log_in_and_writes_need_csrf(db):
    alice, bob, _carol, _conv = f.trio()
    services.block_create(blocker=alice, blocked=bob)
    for method, path in (("get", "/settings/"), ("post", f"/settings/unblock/{bob.pk}/")):
        r = getattr(Client(), method)(path)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = as_user(alice, enforce_csrf_checks=True).post(f"/settings/unblock/{bob.pk}/")
    assert r.status_code == 403
    assert Block.objects.count() == 1


def test_unblocking_a_stranger_is_not_found(db):
    alice, _bob, carol, _conv = f.trio()
    assert as_user(alice).post(f"/settings/unblock/{carol.pk}/").status_code == 404
    assert as_user(alice).post("/settings/unblock/999999/").status_code == 404
    assert as_user(alice).get(f"/settings/unblock/{carol.pk}/").status_code == 405


def test_the_conversation_page_knows_either_side_of_a_block(db):
    alice, bob, _carol, conv = f.trio()
    services.block_create(blocker=alice, blocked=bob)
    mine = as_user(alice).get(f"/messages/{conv.pk}/").context["page_data"]["blocked"]
    theirs = as_user(bob).get(f"/messages/{conv.pk}/").context["page_data"]["blocked"]
    assert mine == {"by_me": True, "by_them": False}
    assert theirs == {"by_me": False, "by_them": True}

"""The log-in page lists the demo accounts only in demo mode."""

import pytest
from django.test import Client


@pytest.mark.parametrize("demo", [True, False])
def test_login_page_lists_demo_accounts_only_in_demo_mode(db, settings, demo):
    settings.PARLEY_DEMO = demo
    r = Client().get("/accounts/login/")
    assert r.status_code == 200
    page = r.content.decode()
    for username in ("alice", "bob", "carol"):
        assert (username in page) is demo, (username, demo)
    assert ("parley-demo" in page) is demo


def test_login_with_next_redirects_back(db, django_user_model):
    django_user_model.objects.create_user("dana", password="a long test password 123")
    client = Client()
    r = client.post("/accounts/login/?next=/messages/", {"username": "dana", "password": "a long test password 123", "next": "/messages/"})
    assert r.status_code == 302 and r["Location"] == "/messages/"


def test_login_refuses_an_offsite_next(db, django_user_model):
    django_user_model.objects.create_user("erin", password="a long test password 123")
    r = Client().post("/accounts/login/", {"username": "erin", "password": "a long test password 123", "next": "https://evil.example/"})
    assert r.status_code == 302 and "evil.example" not in r["Location"]

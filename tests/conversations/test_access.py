"""The one access check: missing and not-yours are the same NotFound."""

import pytest
from django.contrib.auth.models import AnonymousUser

from parley.conversations.access import conversation_for, listing_for
from parley.core.errors import NotFound
from tests import factories as f


def test_participants_get_the_conversation(db):
    alice, bob, _carol, conv = f.trio()
    assert conversation_for(bob, conv.pk).pk == conv.pk
    assert conversation_for(alice, str(conv.pk)).pk == conv.pk


def _message(user, conversation_id):
    with pytest.raises(NotFound) as exc:
        conversation_for(user, conversation_id)
    return exc.value.as_dict(), exc.value.status


@pytest.mark.parametrize("bad_id", ["missing", "abc", None, "", "1.5", -1, 0])
def test_outsider_and_missing_and_garbage_are_the_same_not_found(db, bad_id):
    _alice, _bob, carol, conv = f.trio()
    outsider = _message(carol, conv.pk)
    other = _message(carol, 10**9 if bad_id == "missing" else bad_id)
    assert outsider == other
    assert outsider[1] == 404 and outsider[0]["error"]["code"] == "not_found"


def test_anonymous_gets_not_found(db):
    _alice, _bob, _carol, conv = f.trio()
    assert _message(AnonymousUser(), conv.pk) == _message(AnonymousUser(), 10**9)


def test_listing_for(db):
    item = f.listing(seller=f.user())
    assert listing_for(item.pk).pk == item.pk
    for bad in (10**9, "x", None):
        with pytest.raises(NotFound):
            listing_for(bad)

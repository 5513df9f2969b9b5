"""core.compiled.KeyLookup: the ORM's in_bulk, compiled once per shape, with the same answer."""

import pytest

from parley.conversations.access import conversations_visible
from parley.core import compiled
from parley.core.compiled import KeyLookup
from tests import factories as f

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


@pytest.fixture
def conversations():
    seller = f.user("alice")
    return [f.conversation(buyer=f.user(f"buyer{i}"), seller=seller) for i in range(5)]


@pytest.mark.parametrize("count", [1, 3, 5])
def test_the_same_instances_as_the_orm_with_their_joined_objects(conversations, count, django_assert_num_queries):
    ids = [c.pk for c in conversations[:count]]
    expected = conversations_visible().in_bulk(ids)
    lookup = KeyLookup(conversations_visible)
    with django_assert_num_queries(1):  # one query, and the listing and both people came with it
        got = lookup.in_bulk(ids)
        assert sorted(got) == sorted(ids)
        for cid, conv in got.items():
            assert _fields(conv) == _fields(expected[cid])
            for name in ("listing", "buyer", "seller"):
                assert _fields(getattr(conv, name)) == _fields(getattr(expected[cid], name))
            assert conv._state.adding is False and conv._state.db == "default"


def test_a_missing_key_is_left_out_and_no_keys_ask_nothing(conversations, django_assert_num_queries):
    lookup = KeyLookup(conversations_visible)
    gone = conversations[-1].pk + 1000
    assert set(lookup.in_bulk([conversations[0].pk, gone, conversations[0].pk])) == {conversations[0].pk}
    with django_assert_num_queries(0):
        assert lookup.in_bulk([]) == {}


def test_each_padded_size_is_compiled_once(conversations, monkeypatch):
    calls = []
    real = compiled._compile
    monkeypatch.setattr(compiled, "_compile", lambda qs, size: calls.append(size) or real(qs, size))
    lookup = KeyLookup(conversations_visible)
    ids = [c.pk for c in conversations]
    for keys in ([ids[0]], [ids[1]], ids[:3], ids[1:5], ids[:2], ids):
        assert set(lookup.in_bulk(keys)) == set(keys)
    assert calls == [1, 4, 2, 8]  # 3 and 4 keys share a shape, and 5 pads to 8


def test_more_keys_than_a_shape_holds_go_through_the_orm(conversations, monkeypatch):
    monkeypatch.setattr(compiled, "MAX_KEYS", 2)
    monkeypatch.setattr(compiled, "_compile", lambda qs, size: pytest.fail("compiled past MAX_KEYS"))
    ids = [c.pk for c in conversations]
    assert sorted(KeyLookup(conversations_visible).in_bulk(ids)) == sorted(ids)


def test_a_query_with_parameters_of_its_own_goes_through_the_orm(conversations):
    """The compiled SQL's parameters must be the keys alone; another filter's value would be
    bound in the wrong place, so such a query is run as Django runs it."""
    seller_id = conversations[0].seller_id
    lookup = KeyLookup(lambda: conversations_visible().filter(seller_id=seller_id))
    ids = [c.pk for c in conversations]
    assert sorted(lookup.in_bulk(ids)) == sorted(ids)
    assert lookup._local.shapes[("default", 8)] is None

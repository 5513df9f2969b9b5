"""The one contract both search backends pass (GUIDE.md §3.11): run on SQLite by default and on
PostgreSQL with DATABASE_URL=postgres://…; the backend is the database's."""

import pytest
from django.db import connection

from parley.conversations import services
from parley.search import selectors
from parley.search.backends import backend
from parley.search.query import BadQuery
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(no_rate_limit):
    alice, bob, carol = f.user("alice", first_name="Alice", last_name="Martin"), f.user("bob"), f.user("carol")
    bike = f.listing(seller=alice, title="Vélo de course rouge")
    lamp = f.listing(seller=alice, title="Desk lamp")
    c1 = f.conversation(buyer=bob, listing_obj=bike)
    c2 = f.conversation(buyer=bob, listing_obj=lamp)
    c3 = f.conversation(buyer=carol, listing_obj=lamp)  # bob is not in this one
    m = {
        "velo": f.send(c1, bob, "Bonjour, le vélo est toujours disponible ?"),
        "velos": f.send(c1, alice, "Oui, j'ai deux VÉLOS en stock."),
        "chevaux": f.send(c1, bob, "Il a combien de chevaux ?"),
        "selling": f.send(c2, alice, "I am selling the lamps today"),
        "lamp": f.send(c2, bob, "Is the lamp still for sale?"),
        "secret": f.send(c3, carol, "zanzibar vélo secret lamp"),
    }
    return alice, bob, carol, (c1, c2, c3), m


def ids(page):
    return [r["message"]["id"] for r in page["results"]]


def test_the_backend_is_the_database_in_use():
    assert backend().vendor == connection.vendor


def test_accents_and_case_are_folded_both_ways(world):
    _alice, bob, _carol, _c, m = world
    assert ids(selectors.search(user=bob, q="velo")) == [m["velos"].pk, m["velo"].pk]
    assert ids(selectors.search(user=bob, q="VÉLOS")) == [m["velos"].pk, m["velo"].pk]


def test_french_and_english_word_forms(world):
    _alice, bob, _carol, _c, m = world
    assert ids(selectors.search(user=bob, q="cheval")) == []  # a different word start, not a plural
    assert ids(selectors.search(user=bob, q="chevaux")) == [m["chevaux"].pk]
    assert ids(selectors.search(user=bob, q="lamps")) == [m["lamp"].pk, m["selling"].pk]
    assert ids(selectors.search(user=bob, q="sell")) == [m["selling"].pk]
    assert ids(selectors.search(user=bob, q="selling")) == [m["selling"].pk]


def test_every_word_must_match_as_a_word_start(world):
    _alice, bob, _carol, _c, m = world
    assert ids(selectors.search(user=bob, q="vélo stock")) == [m["velos"].pk]
    assert ids(selectors.search(user=bob, q="elo")) == []  # inside a word, not a start


def test_newest_first_and_cursor_paged(world):
    alice, bob, _carol, (c1, _c2, _c3), _m = world
    sent = [f.send(c1, alice, f"photo numero {i}").pk for i in range(7)]
    seen, before = [], None
    for _ in range(5):
        page = selectors.search(user=bob, q="photo", before=before, limit=3)
        seen += ids(page)
        before = page["next_before"]
        if before is None:
            break
    assert seen == list(reversed(sent))


def test_no_word_leaks_from_a_conversation_the_user_is_not_in(world):
    _alice, bob, carol, _c, m = world
    for q in ("zanzibar", "secret", "zanzibar lamp"):
        page = selectors.search(user=bob, q=q)
        assert page["results"] == [] and page["conversations"] == [] and page["next_before"] is None
    # Carol's own words and the lamp conversation she is in are hers to find.
    assert ids(selectors.search(user=carol, q="zanzibar")) == [m["secret"].pk]
    page = selectors.search(user=bob, q="lamp")
    assert "zanzibar" not in str(page)
    assert all(r["conversation"]["id"] != world[3][2].pk for r in page["results"])


def test_deleted_and_hidden_messages_are_never_found(world, settings):
    alice, bob, _carol, (c1, _c2, _c3), m = world
    settings.PARLEY_EDIT_WINDOW = 10**9
    services.message_delete(user=bob, message=m["chevaux"])
    assert ids(selectors.search(user=bob, q="chevaux")) == []
    services.message_hide(message=m["velos"], moderator=f.user("mod", is_staff=True))
    assert ids(selectors.search(user=bob, q="stock")) == []


def test_an_edit_is_found_by_its_new_words_only(world, settings):
    _alice, bob, _carol, _c, m = world
    services.message_edit(user=bob, message=m["lamp"], body="Is the lantern still for sale?", revision=0)
    assert ids(selectors.search(user=bob, q="lantern")) == [m["lamp"].pk]
    assert m["lamp"].pk not in ids(selectors.search(user=bob, q="lamp"))


def test_names_and_item_titles_find_conversations(world):
    _alice, bob, _carol, (c1, c2, _c3), _m = world
    page = selectors.search(user=bob, q="martin")
    assert [c["id"] for c in page["conversations"]] == [c2.pk, c1.pk]
    page = selectors.search(user=bob, q="course rouge")
    assert [c["id"] for c in page["conversations"]] == [c1.pk]
    assert [p for p in page["conversations"][0]["title_parts"] if p["mark"]] == [
        {"text": "course", "mark": True}, {"text": "rouge", "mark": True}]


def test_matches_are_marked_as_text_parts(world):
    _alice, bob, _carol, _c, m = world
    f.send(world[3][0], bob, "<b>vélo</b> & <script>alert(1)</script>")
    page = selectors.search(user=bob, q="velo")
    parts = page["results"][0]["parts"]
    assert "".join(p["text"] for p in parts) == "<b>vélo</b> & <script>alert(1)</script>"
    assert [p["text"] for p in parts if p["mark"]] == ["vélo"]


@pytest.mark.parametrize(("q", "code"), [
    ("", "query_empty"), ("   ", "query_empty"), ("a", "query_empty"), ("x" * 1000, "query_too_long"),
    ('"velo"', "query_syntax"), ("velo*", "query_syntax"), ("velo NEAR rouge", "query_syntax"),
    ("body:velo", "query_syntax"), ("owners:u1", "query_syntax"), ("NOT velo", "query_syntax"),
    ("velo) OR (u1", "query_syntax"),
])
def test_bad_input_is_a_clear_error(world, q, code):
    with pytest.raises(BadQuery) as err:
        selectors.search(user=world[1], q=q)
    assert err.value.code == code and err.value.status == 400


@pytest.mark.parametrize("cursor", ["nope", "bTA", "bS0x", "!!", "x" * 300])
def test_a_malformed_cursor_is_a_clear_error(world, cursor):
    with pytest.raises(BadQuery) as err:
        selectors.search(user=world[1], q="velo", before=cursor)
    assert err.value.code == "bad_cursor"


def test_a_typed_word_never_reaches_the_participant_tokens(world):
    _alice, bob, carol, _c, _m = world
    # "u<carol's id>" is a participant token in the index; typed, it is only ever text.
    assert selectors.search(user=bob, q=f"u{carol.pk}")["results"] == []


def test_many_messages_stay_in_step_with_the_send_path(world):
    from parley.conversations.services import SendRequest, send_batch
    import uuid

    _alice, bob, _carol, (c1, c2, _c3), _m = world
    out = send_batch([SendRequest(bob, c.pk, f"batch parapluie {i}", uuid.uuid4()) for i, c in enumerate([c1, c2, c1])])
    assert all(r.error is None for r in out)
    assert len(selectors.search(user=bob, q="parapluie")["results"]) == 3


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL alters tables in place and keeps triggers")
def test_a_migration_that_remakes_the_message_table_does_not_stop_indexing(world):
    """SQLite remakes a table to alter it, dropping its triggers: post_migrate makes them again."""
    from django.core.management.sql import emit_post_migrate_signal

    _alice, bob, _carol, (c1, _c2, _c3), _m = world
    with connection.cursor() as cursor:
        for name in ("parley_search_ai", "parley_search_ad", "parley_search_au"):
            cursor.execute(f"DROP TRIGGER {name}")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    late = f.send(c1, bob, "quetzalcoatl arrives after the migration")
    assert ids(selectors.search(user=bob, q="quetzalcoatl")) == [late.pk]

"""The inbox paged by cursor (last activity, id): selectors.inbox_page and GET /api/v1/conversations."""

import uuid
from base64 import urlsafe_b64encode

import pytest
from django.test import Client

from parley.conversations import selectors
from parley.conversations.models import Conversation
from parley.conversations.services import SendRequest, send_batch
from tests import factories as f

N = 37  # more than one default page (30)


@pytest.fixture
def inbox(db, settings, rate_clock):
    """alice sells to N buyers; every conversation has a message. Ten of them were answered in
    one batch, so they share one last_activity_at to the microsecond (the tie the id breaks)."""
    settings.PARLEY_SEND_RATE = "1000/60"
    alice = f.user("alice")
    convs = []
    for i in range(N):
        buyer = f.user(f"buyer{i}")
        conv = f.conversation(buyer=buyer, seller=alice)
        f.send(conv, buyer, f"hello {i}")
        convs.append(conv)
    tied = convs[5:15]
    out = send_batch([SendRequest(alice, c.pk, "answered together", uuid.uuid4()) for c in tied])
    assert all(r.error is None for r in out)
    assert Conversation.objects.filter(pk__in=[c.pk for c in tied]).values("last_activity_at").distinct().count() == 1
    return alice, convs


def expected_order(user) -> list[int]:
    rows = Conversation.objects.filter(participants__user=user).values_list("last_activity_at", "id")
    return [cid for _at, cid in sorted(rows, reverse=True)]


def walk(user, limit=None, between_pages=None) -> list[list[int]]:
    pages, before = [], None
    for _ in range(N + 2):  # bounded: never more pages than rows
        rows, before = selectors.inbox_page(user=user, before=before, limit=limit)
        pages.append([p.conversation_id for p in rows])
        if before is None:
            return pages
        if between_pages:
            between_pages(len(pages))
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize("limit", [None, 7, 10, 1])
def test_pages_chain_without_duplicates_or_gaps(inbox, limit):
    alice, convs = inbox
    pages = walk(alice, limit)
    size = limit or 30
    assert [len(p) for p in pages[:-1]] == [size] * (len(pages) - 1) and 1 <= len(pages[-1]) <= size
    flat = [cid for page in pages for cid in page]
    assert flat == expected_order(alice), "every conversation once, newest activity first, ties by id"
    assert len(set(flat)) == N


def test_a_conversation_that_moves_to_the_top_between_pages(inbox):
    alice, convs = inbox
    order = expected_order(alice)
    seen_first_page = order[:10]
    moved_unseen = order[25]  # on the third page of ten when the walk starts
    moved_seen = order[3]  # already shown on the first page

    def activity(page_number):
        if page_number == 1:
            f.send(Conversation.objects.get(pk=moved_unseen), alice, "bump an unseen one")
            f.send(Conversation.objects.get(pk=moved_seen), alice, "bump a seen one")

    pages = walk(alice, 10, between_pages=activity)
    flat = [cid for page in pages for cid in page]
    assert pages[0] == seen_first_page
    assert len(flat) == len(set(flat)), "nothing repeated further down"
    assert flat == [cid for cid in order if cid != moved_unseen], "nothing skipped but the one that moved up"
    # A fresh first page has both on top, newest first.
    rows, _ = selectors.inbox_page(user=alice, limit=10)
    assert [p.conversation_id for p in rows][:2] == [moved_seen, moved_unseen]


def test_the_api_pages_by_next_before(inbox):
    alice, _convs = inbox
    client = Client()
    client.force_login(alice)
    seen, before, pages = [], None, 0
    while pages <= N:
        params = {"limit": 12, **({"before": before} if before else {})}
        r = client.get("/api/v1/conversations", params)
        assert r.status_code == 200, r.content
        body = r.json()
        seen += [row["id"] for row in body["conversations"]]
        before, pages = body["next_before"], pages + 1
        if before is None:
            break
    assert pages == 4 and seen == expected_order(alice)
    first = client.get("/api/v1/conversations").json()
    assert len(first["conversations"]) == 30 and first["next_before"]
    rest = client.get("/api/v1/conversations", {"before": first["next_before"]}).json()
    assert len(rest["conversations"]) == N - 30 and rest["next_before"] is None


@pytest.mark.parametrize("garbage", [
    "garbage", "!!!", urlsafe_b64encode(b"yesterday|12").decode(), urlsafe_b64encode(b"2024-01-01T00:00:00+00:00|x").decode(),
    urlsafe_b64encode(b"\xff\xfe").decode(),
])
def test_a_garbage_cursor_is_422_invalid(db, garbage):
    bob = f.user("bob")
    client = Client()
    client.force_login(bob)
    r = client.get("/api/v1/conversations", {"before": garbage})
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == "invalid" and error["details"]["field"] == "before"


def test_both_participations_carry_the_conversations_last_activity(inbox):
    """The send path copies the new last activity to both sides (the inbox index reads it)."""
    alice, convs = inbox
    f.send(convs[0], alice, "one more")
    from parley.conversations.models import Participant

    rows = Participant.objects.filter(conversation__in=convs).values_list(
        "conversation__last_activity_at", "last_activity_at")
    assert len(rows) == 2 * N and all(conv_at == own_at for conv_at, own_at in rows)


def test_the_first_page_is_an_index_walk_not_a_sort(inbox):
    """SQLite reads the first page in index order ((user, last activity, conversation)) and stops
    at the page's end, where ordering by the conversation's column sorted all the user's rows."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the plan is SQLite's; PostgreSQL's is shown in docs/benchmarks.md")
    from django.test.utils import CaptureQueriesContext

    alice, _convs = inbox
    with CaptureQueriesContext(connection) as ctx:
        selectors.inbox_page(user=alice)
    sql = ctx.captured_queries[0]["sql"]  # the participations; then their last messages
    with connection.cursor() as cur:
        cur.execute("EXPLAIN QUERY PLAN " + sql)
        plan = " | ".join(row[-1] for row in cur.fetchall())
    assert "participant_inbox" in plan and "TEMP B-TREE" not in plan, plan

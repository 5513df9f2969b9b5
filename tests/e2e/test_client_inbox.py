"""The inbox: avatars, and paging by cursor past its first page with infinite scroll."""

import pytest
from playwright.sync_api import expect

from .client_support import seller_with_inbox
from .conftest import DESKTOP, PHONE, shot

pytestmark = pytest.mark.e2e

ROWS = 105  # past the old cap of 100


def test_inbox_rows_show_the_other_persons_avatar(people, live_server_proc):
    username = seller_with_inbox(live_server_proc, 2)
    sam = people(username)
    sam.page.goto("/messages/")
    rows = sam.page.locator("#inbox-list > li")
    expect(rows).to_have_count(2)
    expect(rows.first.locator(".avatar")).to_have_text("BT")  # "Buyer1 Test"
    expect(rows.first).to_contain_text("Buyer1 Test")
    expect(rows.first.get_by_role("link")).to_have_count(1)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_inbox_loads_more_rows_as_you_scroll(people, live_server_proc, size):
    username = seller_with_inbox(live_server_proc, ROWS)
    sam = people(username, size)
    sam.page.goto("/messages/")
    rows = sam.page.locator("#inbox-list > li")
    expect(rows.first).to_be_visible()
    first_page = rows.count()
    assert first_page == 30, first_page
    shot(sam.page, f"client-inbox-paged-{'desktop' if size is DESKTOP else 'phone'}")
    for _ in range(40):  # scroll like a reader; each page comes as the footer nears the screen
        if rows.count() >= ROWS:
            break
        sam.page.mouse.wheel(0, 4000)
        sam.page.wait_for_timeout(250)
    expect(rows).to_have_count(ROWS, timeout=10_000)
    expect(sam.page.locator("#inbox-more")).to_be_hidden()
    ids = rows.evaluate_all("els => els.map(e => e.dataset.conversationId)")
    assert len(set(ids)) == ROWS, "no row twice"
    # Newest activity first, down to the oldest.
    expect(rows.first).to_contain_text(f"Question {ROWS - 1}")
    expect(rows.last).to_contain_text("Question 0")

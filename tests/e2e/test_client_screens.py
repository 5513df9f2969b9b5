"""Screenshots of the inbox and a conversation at desktop and phone sizes (test-output/
screenshots/client-*.png), with groups, a folded long message, right-to-left text and a
message waiting in the outbox: the pages as people see them."""

import pytest
from playwright.sync_api import expect

from .client_support import composer, connected, contact_seller, token
from .conftest import DESKTOP, PHONE, shot

pytestmark = pytest.mark.e2e

LAMP = "Brass desk lamp"  # alice's


def send(user, text):
    composer(user.page).fill(text)
    user.page.get_by_role("button", name="Send", exact=True).click()
    # The same words may be on screen from an earlier run: wait until nothing is pending.
    expect(user.page.locator(".msg.mine[data-seq]", has_text=text[:30]).last).to_be_visible(timeout=5_000)
    expect(user.page.locator(".msg.mine:not([data-seq])")).to_have_count(0, timeout=5_000)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screens(people, size):
    name = "desktop" if size is DESKTOP else "phone"
    bob = people("bob", size)
    conversation_id = contact_seller(bob, LAMP)
    alice = people("alice", size)
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    send(bob, token("Hello! Is the lamp still available?"))
    send(bob, "Does it come with a bulb?")
    send(alice, "Hi Bob, yes it is. It comes with a warm LED bulb.")
    send(alice, "مرحبا، المصباح ما زال متاحا")
    long_text = "Here is its whole story. " + " ".join(
        f"It was bought in {1960 + i} and kept in a dry study, polished every spring." for i in range(25)
    )
    send(alice, long_text)
    expect(bob.page.locator(".msg.theirs").get_by_role("button", name="Show more").last).to_be_visible(timeout=3_000)
    bob.page.evaluate("window.parleyConnection.suspend()")
    composer(bob.page).fill("Great, I'll take it. Saturday 10:00?")
    bob.page.get_by_role("button", name="Send", exact=True).click()
    expect(bob.page.locator(".msg.mine.pending")).to_have_count(1)  # waiting for the link
    shot(bob.page, f"client-conversation-offline-{name}")
    bob.page.evaluate("window.parleyConnection.resume()")
    expect(bob.page.locator(".msg.mine.pending")).to_have_count(0, timeout=10_000)
    shot(bob.page, f"client-conversation-{name}")
    alice.page.goto("/messages/")
    expect(alice.page.locator("#inbox-list > li").first).to_be_visible()
    shot(alice.page, f"client-inbox-{name}")

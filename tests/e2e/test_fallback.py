"""With /ws/ blocked (a proxy that refuses WebSockets), two people still chat by long-polling."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import CONVERSATION_URL, shot

pytestmark = pytest.mark.e2e

BIKE = "Vintage road bike"  # alice's


def block_websockets(user) -> None:
    """Every /ws/ socket is closed before the server says `ready`, as a blocking proxy would."""
    user.context.route_web_socket(re.compile(r".*/ws/.*"), lambda ws: ws.close(code=1011))


def test_two_people_chat_over_the_fallback(people):
    bob, alice = people("bob"), people("alice")
    for user in (bob, alice):
        block_websockets(user)

    page = bob.page
    page.goto("/marketplace/")
    page.get_by_role("link", name=BIKE, exact=True).click()
    page.locator("#contact-seller").click()
    page.wait_for_url(CONVERSATION_URL)
    conversation_id = int(CONVERSATION_URL.match(page.url).group(1))
    expect(page.locator("#conn-status")).to_have_attribute("data-state", "fallback", timeout=20_000)
    assert page.evaluate("window.parleyConnection.transport") == "fallback"

    alice.page.goto(f"/messages/{conversation_id}/")
    expect(alice.page.locator("#conn-status")).to_have_attribute("data-state", "fallback", timeout=20_000)

    posts = []
    page.on("request", lambda r: posts.append(r.url.split("/", 3)[3]) if r.method == "POST" else None)
    hello = f"Over long-polling {uuid.uuid4().hex[:8]}"
    page.get_by_role("textbox", name="Message", exact=True).fill(hello)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".msg.mine[data-seq]", has_text=hello)).to_have_count(1, timeout=10_000)
    expect(alice.page.locator(".msg .bubble", has_text=hello)).to_have_count(1, timeout=15_000)

    reply = f"Still here {uuid.uuid4().hex[:8]}"
    alice.page.get_by_role("textbox", name="Message", exact=True).fill(reply)
    alice.page.get_by_role("button", name="Send", exact=True).click()
    expect(alice.page.locator(".msg.mine[data-seq]", has_text=reply)).to_have_count(1, timeout=10_000)
    expect(page.locator(".msg .bubble", has_text=reply)).to_have_count(1, timeout=15_000)
    # Each once, on both screens.
    expect(page.locator(".msg .bubble", has_text=hello)).to_have_count(1)
    expect(alice.page.locator(".msg .bubble", has_text=reply)).to_have_count(1)
    # The long-poll sends the socket's frames through the frame endpoint, not REST translations.
    assert "api/v1/frames" in posts
    assert not [p for p in posts if "/messages" in p or p.endswith("/read")], posts
    shot(page, "conversation-fallback-desktop")

"""Reply and Mark as unread in Chromium (issue 11, items 6 and 8): bob replies to alice's
message from its "Message actions" menu and both pages show the quote; a click on a quote
whose original is pages back loads them and shows the original; alice marks the conversation
unread from her inbox row's menu and every tab of hers shows it unread with the badge, and
from the conversation's own menu, which takes her back to the inbox. English on a desktop,
French on a phone."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, shot
from .test_chat import LAMP, connected, contact_seller, token
from .test_report import person

pytestmark = pytest.mark.e2e

TEXTS = {
    "en": {"actions": "Message actions", "reply": "Reply", "send": "Send", "composer": "Message",
           "conv_actions": "Conversation actions", "unread": "Mark as unread", "conv_menu": "Conversation menu",
           "cancel_reply": "Cancel reply"},
    "fr": {"actions": "Actions sur le message", "reply": "Répondre", "send": "Envoyer", "composer": "Votre message",
           "conv_actions": "Actions sur la conversation", "unread": "Marquer comme non lu",
           "conv_menu": "Menu de la conversation", "cancel_reply": "Annuler la réponse"},
}


def write(user, words, text):
    user.page.get_by_role("textbox", name=words["composer"], exact=True).fill(text)
    user.page.get_by_role("button", name=words["send"], exact=True).click()


def badge_count(page) -> int:
    text = page.locator("[data-unread-badge]").first.text_content() or "0"
    return int(text.strip() or 0) if page.locator("[data-unread-badge]").first.is_visible() else 0


@pytest.mark.parametrize(("lang", "size"), [("en", "desktop"), ("fr", "phone")])
def test_reply_quotes_and_mark_as_unread(people, live_server_proc, lang, size):
    words = TEXTS[lang]
    viewport = DESKTOP if size == "desktop" else PHONE
    bob = person(people, "bob", lang, viewport)
    conversation_id = contact_seller(bob, LAMP)
    alice = person(people, "alice", lang, viewport)
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    original = token("The lamp takes an E27 bulb")
    write(alice, words, original)

    # Bob replies to it from its menu: the quote bar, then the quote on both sides.
    theirs = bob.page.locator(".msg.theirs[data-seq]", has=bob.page.locator(".bubble", has_text=original))
    expect(theirs).to_have_count(1)
    original_id = theirs.get_attribute("data-id")
    theirs.get_by_role("button", name=words["actions"]).click()
    theirs.get_by_role("button", name=words["reply"], exact=True).click()
    bar = bob.page.locator("#composer-reply")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text(original)
    expect(bar.get_by_role("button", name=words["cancel_reply"])).to_be_visible()
    shot(bob.page, f"reply-bar-{lang}-{size}")
    answer = token("Perfect, I have one")
    write(bob, words, answer)
    expect(bar).to_be_hidden()
    mine = bob.page.locator(".msg.mine[data-seq]", has=bob.page.locator(".bubble", has_text=answer))
    expect(mine.locator(".msg-quote")).to_contain_text(original)
    on_alice = alice.page.locator(".msg.theirs", has=alice.page.locator(".bubble", has_text=answer))
    expect(on_alice.locator(".msg-quote")).to_contain_text(original)
    shot(alice.page, f"reply-quote-{lang}-{size}")

    # Many messages later, a quote of it: the click loads older pages and shows the original.
    alice_api, bob_api = live_server_proc.login("alice"), live_server_proc.login("bob")
    try:
        for i in range(35):
            r = alice_api.post(f"/api/v1/conversations/{conversation_id}/messages",
                               json={"body": f"filler {i}", "client_msg_id": str(uuid.uuid4())})
            assert r.status_code == 201, r.text
        late = token("Back to your first message")
        r = bob_api.post(f"/api/v1/conversations/{conversation_id}/messages",
                         json={"body": late, "client_msg_id": str(uuid.uuid4()), "reply_to_id": int(original_id)})
        assert r.status_code == 201 and r.json()["message"]["reply_to"]["id"] == int(original_id), r.text
    finally:
        alice_api.close()
        bob_api.close()
    bob.page.reload()
    connected(bob)
    late_node = bob.page.locator(".msg.mine", has=bob.page.locator(".bubble", has_text=late))
    expect(late_node).to_have_count(1)
    target = bob.page.locator(f'.msg[data-id="{original_id}"]')
    expect(target).to_have_count(0)  # not on the first page
    late_node.locator(".msg-quote").click()
    expect(target).to_be_in_viewport(timeout=10_000)
    expect(target).to_have_class(re.compile(r"\bflash\b"))
    shot(bob.page, f"reply-jump-{lang}-{size}")

    # Alice marks the conversation unread from her inbox row; her second tab follows.
    alice.page.goto("/messages/")
    connected(alice)
    second = alice.context.new_page()
    second.goto("/messages/")
    expect(second.locator("#conn-status")).to_have_attribute("data-state", "connected", timeout=10_000)
    row = alice.page.locator(f'li[data-conversation-id="{conversation_id}"]')
    row2 = second.locator(f'li[data-conversation-id="{conversation_id}"]')
    expect(row.locator(".inbox-row")).not_to_have_class(re.compile(r"\bis-unread\b"))
    before = badge_count(alice.page)
    row.get_by_role("button", name=words["conv_actions"]).click()
    row.get_by_role("button", name=words["unread"], exact=True).click()
    expect(row.locator(".inbox-row")).to_have_class(re.compile(r"\bis-unread\b"))
    alice_api = live_server_proc.login("alice")
    try:  # the navbar shows the server's total (other tests' conversations may add to it)
        total = alice_api.get("/api/v1/me").json()["unread_total"]
    finally:
        alice_api.close()
    assert total >= before + 1
    for page, r in ((alice.page, row), (second, row2)):
        expect(r.locator(".inbox-row")).to_have_class(re.compile(r"\bis-unread\b"))
        expect(r.locator(".unread-count .n")).to_have_text("1")
        expect(page.locator("[data-unread-badge]").first).to_have_text(str(total))
    shot(second, f"unread-inbox-{lang}-{size}")
    second.close()

    # Opening it reads it; its own menu marks it unread again and goes back to the inbox.
    row.locator(".inbox-row").click()
    connected(alice)
    expect(alice.page.locator("[data-unread-badge]").first).to_have_text(str(total - 1))
    alice.page.get_by_role("button", name=words["conv_menu"]).click()
    alice.page.get_by_role("button", name=words["unread"], exact=True).click()
    alice.page.wait_for_url(re.compile(r".*/messages/$"))
    expect(row.locator(".inbox-row")).to_have_class(re.compile(r"\bis-unread\b"))

"""Quick replies in Chromium: alice (the seller) inserts one from the **Quick replies** button
beside the composer (keyboard and mouse), it is not sent until she sends it, bob sees it; she
adds one in /settings/ and it is in the menu. Desktop in English, phone in French.

The live server is shared with other modules: the test deletes the reply it added.
"""

import uuid

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, shot
from .test_a11y import blocking_violations, describe
from .test_chat import BIKE, connected, contact_seller

pytestmark = pytest.mark.e2e

LABELS = {
    "en-GB": {"quick": "Quick replies", "message": "Message", "send": "Send", "new": "New quick reply",
              "add": "Add quick reply", "added": "Quick reply added.", "delete": "Delete", "deleted": "Quick reply deleted."},
    "fr-FR": {"quick": "Réponses rapides", "message": "Votre message", "send": "Envoyer", "new": "Nouvelle réponse rapide",
              "add": "Ajouter la réponse rapide", "added": "Réponse rapide ajoutée.", "delete": "Supprimer",
              "deleted": "Réponse rapide supprimée."},
}


def token(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:8]}"


def delete_reply_in_settings(user, text: str, words: dict) -> None:
    page = user.page
    page.goto("/settings/")
    row = page.locator("#quick-reply-list li", has_text=text)
    if row.count():
        row.locator("form[action$='/delete/'] button").click()
        expect(page.locator(".alert-success")).to_contain_text(words["deleted"])


@pytest.mark.parametrize("size,locale", [("desktop", "en-GB"), ("phone", "fr-FR")])
def test_alice_inserts_a_quick_reply_and_adds_one_in_settings(people, size, locale):
    words = LABELS[locale]
    viewport = DESKTOP if size == "desktop" else PHONE
    bob = people("bob", viewport, locale=locale)
    conversation_id = contact_seller(bob, BIKE)
    alice = people("alice", viewport, locale=locale)
    added = token("Pick-up in the evening" if locale == "en-GB" else "Retrait le soir")
    try:
        page = alice.page
        page.goto(f"/messages/{conversation_id}/")
        connected(alice)
        box = page.get_by_role("textbox", name=words["message"], exact=True)
        box.fill("")
        toggle = page.get_by_role("button", name=words["quick"], exact=True)
        menu = page.locator("#quick-replies-menu")

        # The keyboard: Enter opens, Escape closes (the focus back on the button).
        toggle.focus()
        page.keyboard.press("Enter")
        expect(menu).to_be_visible()
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        expect(toggle).to_be_focused()

        # Enter again, ArrowDown to the first reply, Enter: its text is in the composer, not sent.
        page.keyboard.press("Enter")
        items = menu.locator(".quick-reply-item")
        expect(items.first).to_be_visible()
        shot(page, f"quick-replies-menu-{size}")
        found = blocking_violations(page, "conversation with the quick replies open")
        assert not found, f"axe on the open menu ({size}):\n{describe(found)}"
        first = items.first.get_attribute("data-text")
        assert first
        page.keyboard.press("ArrowDown")
        expect(items.first).to_be_focused()
        page.keyboard.press("Enter")
        expect(menu).to_be_hidden()
        expect(box).to_have_value(first)
        expect(box).to_be_focused()
        page.wait_for_timeout(300)  # nothing sends it on its own
        expect(box).to_have_value(first)

        # She finishes the message at the cursor and sends it; bob sees it.
        page.keyboard.press("End")
        tag = uuid.uuid4().hex[:8]
        page.keyboard.type(f" {tag}")
        expect(box).to_have_value(f"{first} {tag}")
        page.get_by_role("button", name=words["send"], exact=True).click()
        expect(page.locator(".msg.mine[data-seq]", has_text=tag)).to_have_count(1, timeout=5_000)
        expect(bob.page.locator(".msg .bubble", has_text=f"{first} {tag}")).to_have_count(1)
        shot(page, f"quick-replies-sent-{size}")

        # She adds one in /settings/; axe finds nothing serious there.
        page.goto("/settings/")
        page.get_by_role("textbox", name=words["new"], exact=True).fill(added)
        page.get_by_role("button", name=words["add"], exact=True).click()
        expect(page.locator(".alert-success")).to_contain_text(words["added"])
        expect(page.locator("#quick-reply-list")).to_contain_text(added)
        page.locator("#settings-quick-replies").scroll_into_view_if_needed()
        shot(page, f"quick-replies-settings-{size}")
        found = blocking_violations(page, "settings")
        assert not found, f"axe on settings ({size}):\n{describe(found)}"

        # It is in the menu; a click inserts it at the cursor of a started message.
        page.goto(f"/messages/{conversation_id}/")
        connected(alice)
        box.fill("Hello, ")
        page.get_by_role("button", name=words["quick"], exact=True).click()
        menu.locator(".quick-reply-item", has_text=added).click()
        expect(box).to_have_value(f"Hello, {added}")
        expect(box).to_be_focused()
        box.fill("")
    finally:
        delete_reply_in_settings(alice, added, words)


def test_with_no_quick_replies_the_menu_links_to_settings(people):
    carol = people("carol")
    page = carol.page
    # Carol deletes what she has (the defaults, on her first visit), then opens a conversation.
    page.goto("/settings/")
    rows = page.locator("#quick-reply-list li")
    while rows.count():
        rows.first.locator("form[action$='/delete/'] button").click()
        expect(page.locator(".alert-success")).to_contain_text("Quick reply deleted.")
    expect(page.locator("#quick-replies-empty")).to_be_visible()
    contact_seller(carol, BIKE)
    page.get_by_role("button", name="Quick replies", exact=True).click()
    link = page.locator("#quick-replies-menu").get_by_role("link")
    expect(link).to_contain_text("add some in Settings")
    link.click()
    page.wait_for_url("**/settings/**")
    expect(page.locator("#settings-quick-replies")).to_be_visible()

"""Privacy in Chromium, in two contexts: alice turns off "Send read receipts" and "Show when I'm
online" in /settings/; bob's page then shows "Delivered", not "Seen", under his last message
after she reads it, and nothing for her presence, live and after a reload; then bob turns his
off in the conversation's menu and sees no "Seen" either (reciprocal). One desktop in English,
one phone in French.

The live server is shared with other modules: the test turns alice's settings back on.
"""

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, shot
from .test_chat import BIKE, connected, contact_seller, token

pytestmark = pytest.mark.e2e

TEXTS = {
    "en": {"receipts": "Send read receipts", "online_switch": "Show when I'm online", "save": "Save",
           "saved": "Your privacy settings are saved.", "seen": "Seen", "delivered": "Delivered", "online": "Online",
           "menu": "Conversation menu", "off_here": "Turn off read receipts here",
           "saved_here": "Your privacy in this conversation is saved.", "default_here": "Use my usual privacy settings here"},
    "fr": {"receipts": "Envoyer les confirmations de lecture", "online_switch": "Montrer quand je suis en ligne",
           "save": "Enregistrer", "saved": "Vos réglages de confidentialité sont enregistrés.", "seen": "Vu",
           "delivered": "Distribué", "online": "En ligne", "menu": "Menu de la conversation",
           "off_here": "Désactiver les confirmations de lecture ici",
           "saved_here": "Votre confidentialité dans cette conversation est enregistrée.",
           "default_here": "Utiliser mes réglages de confidentialité habituels ici"},
}


def say(user, text: str) -> None:
    user.page.locator("#composer-input").fill(text)
    user.page.locator("#send-button").click()
    expect(user.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1)


def set_privacy(page, texts: dict, *, on: bool) -> None:
    page.goto("/settings/")
    section = page.locator("#settings-privacy")
    for label in (texts["receipts"], texts["online_switch"]):
        switch = section.get_by_label(label)
        switch.check() if on else switch.uncheck()
    section.get_by_role("button", name=texts["save"]).click()
    expect(page.locator(".alert-success")).to_contain_text(texts["saved"])


@pytest.mark.parametrize("size,language", [("desktop", "en"), ("phone", "fr")])
def test_alice_hides_read_receipts_and_presence_from_bob(people, size, language):
    texts = TEXTS[language]
    viewport, locale = (DESKTOP, "en-GB") if size == "desktop" else (PHONE, "fr-FR")
    bob = people("bob", viewport, locale=locale)
    conversation_id = contact_seller(bob, BIKE)
    say(bob, token("Still for sale?"))
    alice = people("alice", viewport, locale=locale)
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    seen = bob.page.locator(".msg.mine[data-seq] .msg-seen")
    presence = bob.page.locator("#chat-presence")

    # Receipts on: bob sees her read his message, and her online.
    expect(seen).to_have_text(texts["seen"])
    expect(presence).to_have_text(texts["online"])
    settings = alice.context.new_page()
    try:
        # She turns both off: bob's page changes live (his last message: "Delivered"; no presence).
        set_privacy(settings, texts, on=False)
        shot(settings, f"privacy-settings-{size}")
        expect(seen).to_have_text(texts["delivered"])
        expect(presence).to_have_text("")

        # He writes again and she reads it: still "Delivered", also after a reload.
        text = token("Hello again")
        say(bob, text)
        expect(alice.page.locator(".msg .bubble", has_text=text)).to_have_count(1)
        expect(bob.page.locator(".msg.mine[data-seq]", has_text=text).locator(".msg-seen")).to_have_text(texts["delivered"])
        settings.goto("/messages/")  # her inbox: no unread count once her open page has read it
        row = settings.locator(f'li[data-conversation-id="{conversation_id}"]')
        expect(row.locator(".preview")).to_have_text(text)
        expect(row.locator(".unread-count")).to_be_hidden()
        bob.page.reload()
        connected(bob)
        expect(bob.page.locator(".msg.mine[data-seq]", has_text=text).locator(".msg-seen")).to_have_text(texts["delivered"])
        expect(bob.page.locator(".msg-seen")).to_have_count(1)
        expect(presence).to_have_text("")
        shot(bob.page, f"privacy-delivered-{size}")
        got = bob.page.request.get(f"/api/v1/conversations/{conversation_id}").json()["conversation"]
        assert (got["other_read_seq"], got["read_receipts"]) == (0, False)
    finally:
        set_privacy(settings, texts, on=True)
        settings.close()
    # Back on: bob sees "Seen" and her presence again, live.
    expect(bob.page.locator(".msg-seen")).to_have_text(texts["seen"])
    expect(presence).to_have_text(texts["online"])

    # Bob turns his off in this conversation only, from its menu: reciprocal, he sees no "Seen" either.
    bob.page.get_by_role("button", name=texts["menu"]).click()
    expect(bob.page.get_by_role("button", name=texts["off_here"])).to_be_visible()
    shot(bob.page, f"privacy-menu-{size}")
    try:
        bob.page.get_by_role("button", name=texts["off_here"]).click()
        expect(bob.page.locator(".alert-success")).to_contain_text(texts["saved_here"])
        expect(bob.page.locator(".msg-seen")).to_have_text(texts["delivered"])
    finally:
        bob.page.get_by_role("button", name=texts["menu"]).click()
        bob.page.get_by_role("button", name=texts["default_here"]).click()
    expect(bob.page.locator(".msg-seen")).to_have_text(texts["seen"])

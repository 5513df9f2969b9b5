"""Block in Chromium, in two contexts: alice blocks bob from the conversation menu, bob's send
is refused, alice unblocks him from /settings/ and he can write again. Desktop and phone.

The live server is shared with other modules: every test unblocks what it blocked.
"""

import uuid

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, shot
from .test_a11y import blocking_violations, describe
from .test_chat import BIKE, composer, connected, contact_seller, send

pytestmark = pytest.mark.e2e

BLOCKED = "You can't message this person."


def token(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:8]}"


def unblock_from_settings(user, name: str, *, button: str = "Unblock", done: str = "You unblocked") -> None:
    page = user.page
    page.goto("/settings/")
    row = page.locator("#blocked-list li", has_text=name)
    if row.count():
        row.get_by_role("button", name=f"{button} {name}").click()
        expect(page.locator(".alert-success")).to_contain_text(f"{done} {name}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_alice_blocks_bob_then_unblocks_him_from_settings(people, size):
    viewport = DESKTOP if size == "desktop" else PHONE
    bob = people("bob", viewport)
    conversation_id = contact_seller(bob, BIKE)
    send(bob, token("Is the bike still for sale?"))
    alice = people("alice", viewport)
    try:
        # Alice blocks bob from the conversation menu, after a confirmation.
        alice.page.goto(f"/messages/{conversation_id}/")
        connected(alice)
        alice.page.get_by_role("button", name="Conversation menu").click()
        alice.page.get_by_role("button", name="Block Bob Dupont").click()
        dialog = alice.page.get_by_role("dialog", name="Block Bob Dupont?")
        expect(dialog).to_be_visible()
        shot(alice.page, f"block-confirm-{size}")
        dialog.get_by_role("button", name="Block", exact=True).click()
        note = alice.page.locator("#composer-blocked")
        expect(note).to_contain_text("You blocked Bob Dupont")
        expect(composer(alice.page)).to_be_hidden()
        shot(alice.page, f"block-blocker-{size}")

        # Bob's next send is refused, and his composer says why.
        text = token("Hello?")
        composer(bob.page).fill(text)
        bob.page.get_by_role("button", name="Send", exact=True).click()
        expect(bob.page.locator("#composer-blocked")).to_contain_text(BLOCKED)
        expect(bob.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(0)
        shot(bob.page, f"block-blocked-{size}")
        expect(alice.page.locator(".msg .bubble", has_text=text)).to_have_count(0)

        # Settings lists bob; axe finds nothing serious there.
        alice.page.goto("/settings/")
        expect(alice.page.locator("#blocked-list")).to_contain_text("Bob Dupont")
        shot(alice.page, f"settings-{size}")
        found = blocking_violations(alice.page, "settings")
        assert not found, f"axe on settings ({size}):\n{describe(found)}"
        unblock_from_settings(alice, "Bob Dupont")
        expect(alice.page.locator("#blocked-empty")).to_be_visible()

        # Bob can write again (after reloading: he is not told of the unblock).
        bob.page.reload()
        connected(bob)
        again = token("Sorry, me again")
        send(bob, again)
        alice.page.goto(f"/messages/{conversation_id}/")
        expect(alice.page.locator(".msg .bubble", has_text=again)).to_have_count(1)
        expect(alice.page.get_by_role("button", name="Conversation menu")).to_be_visible()
    finally:
        unblock_from_settings(alice, "Bob Dupont")


def composer_fr(page):
    return page.get_by_role("textbox", name="Votre message", exact=True)


def send_fr(user, text: str) -> None:
    composer_fr(user.page).fill(text)
    user.page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(user.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=5_000)


def test_in_french_block_then_unblock_from_the_conversation_menu(people):
    """The same in French browsers, unblocking from the menu this time: bob writes again at once."""
    bob = people("bob", locale="fr-FR")
    conversation_id = contact_seller(bob, BIKE)
    send_fr(bob, token("Le vélo est-il toujours à vendre ?"))
    alice = people("alice", locale="fr-FR")
    try:
        alice.page.goto(f"/messages/{conversation_id}/")
        connected(alice)
        menu = alice.page.get_by_role("button", name="Menu de la conversation")
        menu.click()
        alice.page.get_by_role("button", name="Bloquer Bob Dupont").click()
        dialog = alice.page.get_by_role("dialog", name="Bloquer Bob Dupont ?")
        dialog.get_by_role("button", name="Bloquer", exact=True).click()
        expect(alice.page.locator("#composer-blocked")).to_contain_text("Vous avez bloqué Bob Dupont")

        text = token("Allô ?")
        composer_fr(bob.page).fill(text)
        bob.page.get_by_role("button", name="Envoyer", exact=True).click()
        expect(bob.page.locator("#composer-blocked")).to_contain_text("Vous ne pouvez pas écrire à cette personne.")
        shot(bob.page, "block-blocked-fr")

        # Unblock from the same menu: every tab of alice's opens the composer again.
        menu.click()
        alice.page.get_by_role("button", name="Débloquer Bob Dupont").click()
        expect(composer_fr(alice.page)).to_be_visible()
        bob.page.reload()
        connected(bob)
        again = token("Je réessaie")
        send_fr(bob, again)
        expect(alice.page.locator(".msg .bubble", has_text=again)).to_have_count(1)
    finally:
        unblock_from_settings(alice, "Bob Dupont", button="Débloquer", done="Vous avez débloqué")

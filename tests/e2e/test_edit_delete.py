"""Edit and Delete from a message's "Message actions" menu, in two Chromium contexts: bob
edits his message and alice's open page and inbox follow live ("edited"); bob deletes it
after a confirmation and both pages show "Message deleted". English on a desktop, French on
a phone. Someone else's message offers no Edit or Delete."""

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, shot
from .test_chat import LAMP, connected, contact_seller, token
from .test_report import person

pytestmark = pytest.mark.e2e

TEXTS = {
    "en": {"actions": "Message actions", "edit": "Edit", "delete": "Delete", "save": "Save",
           "edit_title": "Edit message", "delete_title": "Delete this message?", "edited": "edited",
           "deleted": "Message deleted", "send": "Send", "composer": "Message"},
    "fr": {"actions": "Actions sur le message", "edit": "Modifier", "delete": "Supprimer", "save": "Enregistrer",
           "edit_title": "Modifier le message", "delete_title": "Supprimer ce message ?", "edited": "modifié",
           "deleted": "Message supprimé", "send": "Envoyer", "composer": "Votre message"},
}


@pytest.mark.parametrize(("lang", "size"), [("en", "desktop"), ("fr", "phone")])
def test_bob_edits_then_deletes_and_alice_sees_it_live(people, lang, size):
    words = TEXTS[lang]
    viewport = DESKTOP if size == "desktop" else PHONE
    bob = person(people, "bob", lang, viewport)
    conversation_id = contact_seller(bob, LAMP)
    first = token("Would you take 20 for the lamp")
    bob.page.get_by_role("textbox", name=words["composer"], exact=True).fill(first)
    bob.page.get_by_role("button", name=words["send"], exact=True).click()
    mine = bob.page.locator(".msg.mine[data-seq]", has=bob.page.locator(".bubble", has_text=first))
    expect(mine).to_have_count(1)
    message_id = mine.get_attribute("data-id")

    alice = person(people, "alice", lang, viewport)
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    theirs = alice.page.locator(".msg.theirs", has=alice.page.locator(".bubble", has_text=first))
    expect(theirs).to_have_count(1)
    # Alice may report bob's message but not edit or delete it.
    theirs.get_by_role("button", name=words["actions"]).click()
    expect(theirs.get_by_role("button", name=words["edit"], exact=True)).to_have_count(0)
    expect(theirs.get_by_role("button", name=words["delete"], exact=True)).to_have_count(0)
    alice.page.keyboard.press("Escape")

    # Bob edits: the dialog holds his text; he changes it and saves.
    mine.get_by_role("button", name=words["actions"]).click()
    mine.get_by_role("button", name=words["edit"], exact=True).click()
    dialog = bob.page.get_by_role("dialog", name=words["edit_title"])
    expect(dialog).to_be_visible()
    box = dialog.get_by_role("textbox")
    expect(box).to_have_value(first)
    second = token("Would you take 25 for the lamp")
    box.fill(second)
    shot(bob.page, f"edit-dialog-{lang}-{size}")
    dialog.get_by_role("button", name=words["save"], exact=True).click()
    expect(dialog).to_be_hidden()
    edited_mine = bob.page.locator(".msg.mine", has=bob.page.locator(".bubble", has_text=second))
    expect(edited_mine.locator(".edited")).to_have_text(words["edited"])
    edited_theirs = alice.page.locator(".msg.theirs", has=alice.page.locator(".bubble", has_text=second))
    expect(edited_theirs.locator(".edited")).to_be_visible()
    expect(alice.page.locator(".msg .bubble", has_text=first)).to_have_count(0)
    shot(alice.page, f"edited-{lang}-{size}")

    # Bob deletes it, after a confirmation; both pages show "Message deleted".
    edited_mine.get_by_role("button", name=words["actions"]).click()
    edited_mine.get_by_role("button", name=words["delete"], exact=True).click()
    confirm = bob.page.get_by_role("dialog", name=words["delete_title"])
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name=words["delete"], exact=True).click()
    for page in (bob.page, alice.page):
        expect(page.locator(f'.msg.removed[data-id="{message_id}"] .bubble')).to_have_text(words["deleted"])
        expect(page.locator(".msg .bubble", has_text=second)).to_have_count(0)
    shot(alice.page, f"deleted-{lang}-{size}")
    # After a reload too, and in alice's inbox preview.
    alice.page.goto("/messages/")
    expect(alice.page.locator(f'[data-conversation-id="{conversation_id}"]')).to_contain_text(words["deleted"])

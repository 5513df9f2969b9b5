"""Typing and presence in Chromium, in two contexts, in English and French: bob types and
alice sees it in the conversation and in her inbox row; it goes at once when he sends; she sees
him "Online", and "Active …" once he closes his page (the live server's grace is 1 s); cut off
herself, she sees neither until her link is back."""

import pytest
from playwright.sync_api import expect

from .conftest import shot
from .test_chat import BIKE, connected, contact_seller, token

pytestmark = pytest.mark.e2e

TEXTS = {
    "en": {"typing": "Bob Dupont is typing…", "row": "typing…", "online": "Online", "gone": "Active just now"},
    "fr": {"typing": "Bob Dupont est en train d’écrire…", "row": "en train d’écrire…", "online": "En ligne",
           "gone": "Actif à l’instant"},
}


def speak(user, language: str) -> None:
    if language != "en":
        user.context.add_cookies([{"name": "django_language", "value": language, "url": user.base_url}])


def say(user, text: str) -> None:
    user.page.locator("#composer-input").fill(text)
    user.page.locator("#send-button").click()
    expect(user.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_alice_sees_bob_typing_then_his_message_and_his_presence(people, language):
    texts = TEXTS[language]
    bob = people("bob")
    speak(bob, language)
    conversation_id = contact_seller(bob, BIKE)
    say(bob, token("Hello"))  # the seller's inbox lists a conversation once it has a message
    alice = people("alice")
    speak(alice, language)
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    inbox = alice.context.new_page()
    inbox.goto("/messages/")
    row = inbox.locator(f'li[data-conversation-id="{conversation_id}"] .preview')
    presence = alice.page.locator("#chat-presence")
    typing = alice.page.locator("#typing-note")
    expect(typing).to_have_attribute("aria-live", "polite")

    # Bob's page is open: alice sees him online.
    expect(presence).to_have_text(texts["online"])

    # Bob types: alice's conversation and her inbox row say so.
    text = token("Is the bike still for sale")
    bob.page.locator("#composer-input").press_sequentially(text[:12], delay=30)
    expect(typing).to_have_text(texts["typing"])
    expect(row).to_have_text(texts["row"])
    shot(alice.page, f"typing-conversation-{language}")
    shot(inbox, f"typing-inbox-{language}")

    # He sends: it goes at once (well before the 6 s expiry), and the message arrives.
    say(bob, text)
    expect(alice.page.locator(".msg .bubble", has_text=text)).to_have_count(1, timeout=3_000)
    expect(typing).to_have_text("", timeout=1_500)
    expect(row).to_have_text(text, timeout=1_500)

    # He types again, then stops: it goes by itself within 6 s of his last keystroke.
    bob.page.locator("#composer-input").press_sequentially("and", delay=30)
    expect(typing).to_have_text(texts["typing"])
    expect(typing).to_have_text("", timeout=8_000)

    # He closes his page: alice's header says when he was last active.
    bob.page.close()
    expect(presence).not_to_have_text(texts["online"], timeout=8_000)
    expect(presence).to_have_text(texts["gone"])
    shot(alice.page, f"presence-gone-{language}")
    inbox.close()


def test_cut_off_alice_sees_no_stale_presence_until_her_link_is_back(people):
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    say(bob, token("Hello"))
    alice = people("alice")
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    presence = alice.page.locator("#chat-presence")
    typing = alice.page.locator("#typing-note")
    expect(presence).to_have_text(TEXTS["en"]["online"])
    bob.page.locator("#composer-input").press_sequentially("Is it", delay=30)
    expect(typing).to_have_text(TEXTS["en"]["typing"])

    # Her network drops: she cannot know whether bob is still there, or still typing.
    alice.context.set_offline(True)
    expect(alice.page.locator("#conn-status")).not_to_have_attribute("data-state", "connected", timeout=5_000)
    expect(presence).to_have_text("")
    expect(typing).to_have_text("")
    shot(alice.page, "presence-offline")

    # Back online, her page asks again and shows what is true now.
    alice.context.set_offline(False)
    connected(alice, timeout=10_000)
    expect(presence).to_have_text(TEXTS["en"]["online"], timeout=5_000)

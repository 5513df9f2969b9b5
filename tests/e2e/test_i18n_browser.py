"""Switch to French through the navbar's language menu, in Chromium; the choice sticks."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import CONVERSATION_URL, shot

pytestmark = pytest.mark.e2e

BIKE = "Vintage road bike"  # alice's, in the demo data


def test_switch_to_french_from_the_language_menu(people, live_server_proc, require_chromium):
    bob = people("bob")  # an English browser (en-GB)
    page = bob.page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#nav-messages")).to_contain_text("Messages")

    page.locator("#lang-menu").click()
    page.get_by_role("button", name="Français", exact=True).click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(re.compile(r".*/marketplace/$"))
    expect(page.locator("#lang-menu")).to_have_text(re.compile(r"Français"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Petites annonces")
    expect(page.get_by_role("link", name="Petites annonces")).to_be_visible()
    # The client's strings come from the same catalogue.
    expect(page.locator("#conn-status")).to_have_attribute("data-state", "connected", timeout=10_000)
    expect(page.locator("#conn-status .conn-label")).to_have_text("Connecté")
    shot(page, "i18n-fr-desktop")

    # The next pages stay French (the django_language cookie), down to the composer.
    page.get_by_role("link", name=BIKE, exact=True).click()
    contact = page.locator("#contact-seller")
    expect(contact).to_have_text(re.compile(r"Contacter le vendeur|Ouvrir la conversation"))
    contact.click()
    page.wait_for_url(CONVERSATION_URL)
    composer = page.get_by_role("textbox", name="Votre message", exact=True)
    expect(composer).to_have_attribute("placeholder", "Écrire à Alice Martin…")
    text = f"Bonjour {uuid.uuid4().hex[:8]}"
    composer.fill(text)
    page.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=5_000)
    expect(page.get_by_role("link", name="Retour aux messages")).to_be_visible()
    shot(page, "i18n-fr-conversation-desktop")

    # And back to English through the same menu.
    page.locator("#lang-menu").click()
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("textbox", name="Message", exact=True)).to_be_visible()

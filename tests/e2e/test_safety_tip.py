"""Safety tips in Chromium, two contexts: bob sends alice a phone number and "WhatsApp"; alice's
open page shows a Safety tip under it, live and after a reload; bob's own page shows none.
In English and in French, light and dark, and axe finds nothing serious with the tip shown.

The live server is shared with other modules: each message carries a token of its own.
"""

import uuid

import pytest
from playwright.sync_api import expect

from .conftest import shot
from .test_a11y import blocking_violations, describe
from .test_chat import BIKE, connected, contact_seller

pytestmark = pytest.mark.e2e

TEXTS = {
    "en": {
        "message": "Hi {token}, contact me on WhatsApp +33 6 12 34 56 78",
        "title": "Safety tip",
        "phone": "This message contains a phone number. Scammers often ask to continue off Parley",
        "off_platform": "This message suggests paying or talking outside Parley.",
    },
    "fr": {
        "message": "Bonjour {token}, contacte-moi sur WhatsApp au 06 12 34 56 78",
        "title": "Conseil de sécurité",
        "phone": "Ce message contient un numéro de téléphone. Les escrocs demandent souvent",
        "off_platform": "Ce message propose de payer ou de discuter en dehors de Parley.",
    },
}


def in_language(user, lang: str) -> None:
    if lang != "en":
        user.context.add_cookies([{"name": "django_language", "value": lang, "url": user.base_url}])


def send(user, text: str) -> None:
    """Send from the composer, in any language; wait until the server confirmed it."""
    user.page.locator("#composer-input").fill(text)
    user.page.locator("#send-button").click()
    expect(user.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=10_000)


def message(page, text: str):
    return page.locator(".msg[data-seq]", has=page.locator(".bubble", has_text=text))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_recipient_sees_a_safety_tip_and_the_sender_does_not(people, lang):
    words = TEXTS[lang]
    bob = people("bob")
    in_language(bob, lang)
    conversation_id = contact_seller(bob, BIKE)
    alice = people("alice")
    in_language(alice, lang)
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    bob.page.reload()
    connected(bob)

    text = words["message"].format(token=uuid.uuid4().hex[:8])
    send(bob, text)

    # Live on alice's page: the whole message, and a tip under it with one sentence per code.
    got = message(alice.page, text)
    expect(got).to_have_count(1, timeout=10_000)
    expect(got.locator(".bubble")).to_have_text(text)
    tip = got.get_by_role("note")
    expect(tip).to_be_visible()
    expect(tip.locator(".safety-tip-title")).to_have_text(words["title"])
    expect(tip.locator("li")).to_have_count(2)
    expect(tip).to_contain_text(words["phone"])
    expect(tip).to_contain_text(words["off_platform"])
    expect(tip).to_have_attribute("data-flags", "phone,off_platform")
    # Bob, the sender, sees his message and no tip.
    expect(message(bob.page, text)).to_have_count(1)
    expect(message(bob.page, text).locator(".safety-tip")).to_have_count(0)
    expect(bob.page.locator(".msg.mine .safety-tip")).to_have_count(0)
    # A plain message gets none.
    plain = f"Is it still available? {uuid.uuid4().hex[:8]}"
    send(bob, plain)
    expect(message(alice.page, plain)).to_have_count(1)
    expect(message(alice.page, plain).locator(".safety-tip")).to_have_count(0)
    got.scroll_into_view_if_needed()
    shot(alice.page, f"safety-tip-live-{lang}")

    # History: after a reload, the same tip, still only on alice's side.
    alice.page.reload()
    connected(alice)
    got = message(alice.page, text)
    expect(got.get_by_role("note")).to_contain_text(words["phone"])
    bob.page.reload()
    connected(bob)
    expect(message(bob.page, text)).to_have_count(1)
    expect(message(bob.page, text).locator(".safety-tip")).to_have_count(0)

    # Light and dark: axe finds nothing serious with the tip on screen.
    for scheme in ("light", "dark"):
        alice.page.emulate_media(color_scheme=scheme)
        expect(alice.page.locator("html")).to_have_attribute("data-bs-theme", scheme)
        got.scroll_into_view_if_needed()
        shot(alice.page, f"safety-tip-{lang}-{scheme}")
        alice.page.screenshot(path=f"/tmp/safety-tip-{lang}-{scheme}.png")
        found = blocking_violations(alice.page, f"safety-tip-{lang}-{scheme}")
        assert not found, f"axe with a safety tip ({lang}, {scheme}):\n{describe(found)}"

"""Reports and moderation in Chromium, in two contexts: alice reports bob's message and bob
himself (English and French); a moderator hides a message from the admin and both open pages
(and alice's inbox) show it removed, live; a warning shows on the user's page; suspension
closes the user's socket and sends them to log in.

The live server is shared with other modules: each test uses its own messages and accounts.
"""

import re
import subprocess
import sys
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, shot
from .pages import _send, _sign_up
from .test_a11y import blocking_violations, describe
from .test_chat import CAMERA, LAMP, connected, contact_seller, token

pytestmark = pytest.mark.e2e

MODERATOR_PASSWORD = "a moderator's long passphrase 7"

TEXTS = {
    "en": {
        "actions": "Message actions", "report": "Report", "report_message": "Report message",
        "report_person": "Report Bob Dupont", "scam": "Scam or fraud", "harassment": "Harassment",
        "send": "Send report", "thanks": "Thanks. Our team will review your report.", "close": "Close",
        "need_reason": "Choose a reason.", "menu": "Conversation menu", "note": "Anything else we should know? (optional)",
        "removed": "Message removed by moderation",
    },
    "fr": {
        "actions": "Actions sur le message", "report": "Signaler", "report_message": "Signaler le message",
        "report_person": "Signaler Bob Dupont", "scam": "Arnaque ou fraude", "harassment": "Harcèlement",
        "send": "Envoyer le signalement", "thanks": "Merci. Notre équipe va examiner votre signalement.", "close": "Fermer",
        "need_reason": "Choisissez un motif.", "menu": "Menu de la conversation", "note": "Autre chose à nous dire ? (facultatif)",
        "removed": "Message supprimé par la modération",
    },
}


def person(people, username: str, lang: str, viewport=DESKTOP):
    """A logged-in user who chose `lang`."""
    user = people(None, viewport)
    user.username = username
    if lang == "fr":  # what the language menu sets (the contexts are made with locale en-GB)
        user.context.add_cookies([{"name": "django_language", "value": "fr", "url": user.base_url}])
    user.login()
    expect(user.page.locator("html")).to_have_attribute("lang", lang)
    return user


def send(user, text: str) -> None:
    """Send from the composer, in any language; wait until the server confirmed it."""
    page = user.page
    page.locator("#composer-input").fill(text)
    page.locator("#send-button").click()
    expect(page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=5_000)


@pytest.fixture(scope="module")
def moderator(live_server_proc):
    """An httpx client logged in as a superuser of the live server (created with its own env)."""
    name = f"mod{uuid.uuid4().hex[:8]}"
    env = {**live_server_proc.env, "DJANGO_SUPERUSER_PASSWORD": MODERATOR_PASSWORD}
    subprocess.run(
        [sys.executable, "-m", "parley", "manage", "createsuperuser", "--noinput", "--username", name, "--email", f"{name}@example.com"],
        env=env, check=True, capture_output=True, timeout=60,
    )
    client = live_server_proc.login(name, MODERATOR_PASSWORD)
    yield client
    client.close()


def moderate(moderator, report_id: int, what: str, **form) -> None:
    r = moderator.post(f"/admin/parley_safety/report/{report_id}/{what}/", data=form)
    assert r.status_code == 302, (r.status_code, r.text[:500])
    page = moderator.get(r.headers["location"])
    assert 'class="success"' in page.text, page.text[-2000:]


def api_report(client, conversation_id: int, message_id: int | None = None, reason: str = "scam") -> int:
    body = {"conversation_id": conversation_id, "reason": reason}
    if message_id is not None:
        body["message_id"] = message_id
    r = client.post("/api/v1/reports", json=body)
    assert r.status_code in (200, 201), r.text
    return r.json()["report_id"]


def open_actions_by_keyboard(page, bubble_node, texts) -> None:
    """Tab-focus the message's actions button, open its menu with Enter, pick Report with the arrows."""
    toggle = bubble_node.get_by_role("button", name=texts["actions"])
    toggle.focus()
    expect(toggle).to_be_visible()  # shown on focus, not only on hover
    page.keyboard.press("Enter")
    item = bubble_node.get_by_role("button", name=texts["report"], exact=True)
    expect(item).to_be_visible()
    # Arrow down through the menu (Reply comes first) until Report has the focus.
    for _ in range(4):
        page.keyboard.press("ArrowDown")
        if item.evaluate("el => el === document.activeElement"):
            break
    expect(item).to_be_focused()
    page.keyboard.press("Enter")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_alice_reports_bobs_message_and_bob_himself(people, lang):
    texts = TEXTS[lang]
    bob = person(people, "bob", lang)
    conversation_id = contact_seller(bob, CAMERA)
    text = token("Pay me by wire, outside the site")
    send(bob, text)
    # Bob's own messages have no Report.
    expect(bob.page.locator(".msg.mine", has_text=text).locator(".msg-report")).to_have_count(0)

    alice = person(people, "alice", lang)
    page = alice.page
    page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    node = page.locator(".msg.theirs", has=page.locator(".bubble", has_text=text))
    expect(node).to_have_count(1)

    # Report the message, from its menu, with the keyboard.
    open_actions_by_keyboard(page, node, texts)
    dialog = page.get_by_role("dialog", name=texts["report_message"])
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=texts["send"]).click()
    expect(dialog.get_by_role("alert")).to_have_text(texts["need_reason"])
    dialog.get_by_role("radio", name=texts["scam"]).check()
    dialog.get_by_role("textbox", name=texts["note"]).fill("Wants the money outside the site.")
    shot(page, f"report-dialog-{lang}")
    found = blocking_violations(page, "report-dialog")
    assert not found, f"axe on the report dialog ({lang}):\n{describe(found)}"
    dialog.get_by_role("button", name=texts["send"]).click()
    expect(dialog.get_by_role("status")).to_have_text(texts["thanks"])
    shot(page, f"report-thanks-{lang}")
    dialog.get_by_role("button", name=texts["close"]).click()
    expect(dialog).to_be_hidden()

    # Report the person, from the conversation's menu, with the mouse.
    page.get_by_role("button", name=texts["menu"]).click()
    page.get_by_role("button", name=texts["report_person"]).click()
    dialog = page.get_by_role("dialog", name=texts["report_person"])
    expect(dialog).to_be_visible()
    dialog.get_by_role("radio", name=texts["harassment"]).check()
    dialog.get_by_role("button", name=texts["send"]).click()
    expect(dialog.get_by_role("status")).to_have_text(texts["thanks"])
    dialog.get_by_role("button", name=texts["close"]).click()

    # Bob was not told: nothing new on his page.
    expect(bob.page.locator(".alert")).to_have_count(0)


def test_the_message_menu_is_always_there_to_tap_on_a_phone(people):
    bob = person(people, "bob", "en", PHONE)
    conversation_id = contact_seller(bob, CAMERA)
    text = token("Phone check")
    send(bob, text)
    alice = person(people, "alice", "en", PHONE)
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    node = alice.page.locator(".msg.theirs", has=alice.page.locator(".bubble", has_text=text))
    toggle = node.get_by_role("button", name="Message actions")
    expect(toggle).to_be_visible()
    assert toggle.evaluate("el => getComputedStyle(el.closest('.msg-actions')).opacity") == "1"
    toggle.click()
    node.get_by_role("button", name="Report", exact=True).click()
    expect(alice.page.get_by_role("dialog", name="Report message")).to_be_visible()
    shot(alice.page, "report-dialog-phone")


def test_a_hidden_message_is_removed_live_for_both_and_in_the_inbox(people, live_server_proc, moderator):
    bob = person(people, "bob", "fr")
    conversation_id = contact_seller(bob, CAMERA)
    text = token("Call me on 06 12 34 56 78")
    send(bob, text)
    message_id = int(bob.page.locator(".msg.mine", has_text=text).get_attribute("data-id"))

    alice = person(people, "alice", "en")
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    expect(alice.page.locator(".bubble", has_text=text)).to_have_count(1)
    inbox = alice.context.new_page()
    inbox.goto("/messages/")
    expect(inbox.locator("#conn-status")).to_have_attribute("data-state", "connected")
    row = inbox.locator(f'li[data-conversation-id="{conversation_id}"]')
    expect(row.locator(".preview")).to_have_text(text)

    alice_api = live_server_proc.login("alice")
    try:
        report_id = api_report(alice_api, conversation_id, message_id)
    finally:
        alice_api.close()
    moderate(moderator, report_id, "hide")

    # Live, without reload, in every open page of both.
    removed_fr = bob.page.locator(f'.msg[data-id="{message_id}"] .bubble')
    removed_en = alice.page.locator(f'.msg[data-id="{message_id}"] .bubble')
    expect(removed_fr).to_have_text(TEXTS["fr"]["removed"])
    expect(removed_en).to_have_text(TEXTS["en"]["removed"])
    expect(row.locator(".preview")).to_have_text(TEXTS["en"]["removed"])
    expect(alice.page.locator(f'.msg[data-id="{message_id}"] .msg-actions')).to_have_count(0)
    shot(alice.page, "message-removed-en")
    found = blocking_violations(alice.page, "message-removed")
    assert not found, f"axe on a removed message:\n{describe(found)}"
    shot(bob.page, "message-removed-fr")
    # And when loading history.
    bob.page.reload()
    connected(bob)
    expect(removed_fr).to_have_text(TEXTS["fr"]["removed"])
    assert text not in bob.page.content()
    inbox.close()


def test_a_warning_shows_on_the_open_page_and_suspension_closes_the_socket(people, live_server_proc, moderator, browser):
    username = f"sus{uuid.uuid4().hex[:8]}"
    client = _sign_up(live_server_proc, username)
    try:
        listing = re.search(r'href="/marketplace/(\d+)/">' + re.escape(LAMP), client.get("/marketplace/").text)
        created = client.post("/api/v1/conversations", json={"listing_id": int(listing.group(1))})
        conversation_id = created.json()["conversation"]["id"]
        _send(client, conversation_id, "Cheap lamp? Send the money first.")
        cookies = [{"name": k, "value": v, "url": live_server_proc.base_url} for k, v in client.cookies.items()]
    finally:
        client.close()
    user = people(None)
    user.context.add_cookies(cookies)
    page = user.page
    page.goto(f"/messages/{conversation_id}/")
    connected(user)

    alice_api = live_server_proc.login("alice")
    try:
        report_id = api_report(alice_api, conversation_id, reason="spam")
    finally:
        alice_api.close()

    moderate(moderator, report_id, "warn", text="Do not ask for money up front.")
    alert = page.get_by_role("alert").filter(has_text="A moderator has warned you")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Do not ask for money up front.")
    shot(page, "account-warned")
    alert.get_by_role("button", name="Close").click()
    expect(alert).to_have_count(0)

    moderate(moderator, report_id, "suspend")
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=.*"))
    page.goto(f"/messages/{conversation_id}/")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    moderate(moderator, report_id, "close", resolution="Suspended for asking money up front.")

"""Notifications in Chromium: the sound and the browser notification of a new message (with
the permission granted), the Sound switch, "Enable notifications on this device" (service
worker registered, manifest valid), the conversation's mute and quiet hours; French once.

The live server is shared with other modules: each message carries a token of its own.
"""

import re

import pytest
from playwright.sync_api import expect

from .client_support import connected, contact_seller, token
from .conftest import DESKTOP, PHONE, shot
from .test_chat import BIKE, LAMP

pytestmark = pytest.mark.e2e

# The page believes what this says about its visibility: a headless tab is always "visible".
VISIBILITY = """
window.__parleyVisibility = "visible";
Object.defineProperty(Document.prototype, "visibilityState", {configurable: true, get() { return window.__parleyVisibility; }});
Object.defineProperty(Document.prototype, "hidden", {configurable: true, get() { return window.__parleyVisibility !== "visible"; }});
"""


def hide(page) -> None:
    page.evaluate('window.__parleyVisibility = "hidden"; document.dispatchEvent(new Event("visibilitychange"))')


def send(user, text: str) -> None:
    user.page.locator("#composer-input").fill(text)
    user.page.locator("#send-button").click()
    expect(user.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=10_000)


def notifier(page) -> dict:
    return page.evaluate("({sounds: window.parleyNotifier.stats.sounds, shown: window.parleyNotifier.stats.shown})")


def set_channels(user, **on) -> None:
    page = user.page
    page.goto("/settings/#settings-notifications")
    for name, label in (("sound", "Sound"), ("browser", "Browser notifications")):
        box = page.get_by_role("switch", name=label, exact=True)
        box.set_checked(on.get(name, True))
    page.locator("#notify-channels-save").click()
    expect(page.get_by_text("Notification settings saved.")).to_be_visible()


def test_a_hidden_tab_rings_and_shows_a_notification_that_opens_the_conversation(people, live_server_proc):
    alice = people("alice")
    alice.context.grant_permissions(["notifications"], origin=live_server_proc.base_url)
    alice.context.add_init_script(VISIBILITY)
    set_channels(alice, sound=True, browser=True)
    alice.page.goto("/messages/")
    connected(alice)
    assert alice.page.evaluate("Notification.permission") == "granted"
    sound = alice.page.evaluate("JSON.parse(document.getElementById('notify-prefs').textContent).sound_url")
    r = alice.page.request.get(sound)
    assert r.status == 200 and r.body()[:4] == b"RIFF" and r.body()[8:12] == b"WAVE"
    hide(alice.page)
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    text = token("Still for sale? I could come tonight")
    send(bob, text)
    alice.page.wait_for_function("window.parleyNotifier.stats.shown.length > 0")
    seen = notifier(alice.page)
    assert seen["sounds"] == 1
    assert seen["shown"][0]["title"] == "Bob Dupont"
    assert seen["shown"][0]["body"] == f"{BIKE} \u2014 {text}"
    expect(alice.page).to_have_title(re.compile(r"^\(\d+\) "))  # the unread count in the tab title
    alice.page.evaluate("window.parleyNotifier.last.onclick()")
    alice.page.wait_for_url(re.compile(rf".*/messages/{conversation_id}/$"))


def test_the_sound_switch_silences_the_tab(people):
    alice = people("alice")
    set_channels(alice, sound=False, browser=True)
    shot(alice.page, "notifications-settings-desktop", full_page=True)
    try:
        alice.page.goto("/messages/")
        connected(alice)
        assert alice.page.evaluate("JSON.parse(document.getElementById('notify-prefs').textContent).sound") is False
        bob = people("bob")
        contact_seller(bob, LAMP)
        text = token("Is the lamp working")
        send(bob, text)
        expect(alice.page.locator("#inbox-list")).to_contain_text(text)
        assert notifier(alice.page)["sounds"] == 0
    finally:
        set_channels(alice, sound=True, browser=True)


def test_enable_notifications_on_this_device_registers_the_service_worker(people, live_server_proc):
    alice = people("alice", PHONE)
    alice.context.grant_permissions(["notifications"], origin=live_server_proc.base_url)
    page = alice.page
    page.goto("/settings/#settings-notifications")
    button = page.get_by_role("button", name="Enable notifications on this device")
    expect(button).to_be_visible()
    button.click()
    state = page.locator("#notify-device-state")
    # Chromium subscribes through its push service; a headless one without it says so clearly.
    expect(state).to_have_attribute("data-state", re.compile("^(on|failed)$"), timeout=15_000)
    if state.get_attribute("data-state") == "on":
        expect(state).to_have_text("Notifications are on for this device.")
    else:
        expect(state).to_have_text("This browser could not subscribe this device to push.")
    shot(page, "notifications-settings-phone", full_page=True)
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => [r.scope, r.active && r.active.scriptURL])")
    assert scope == [live_server_proc.base_url + "/", live_server_proc.base_url + "/sw.js"]
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.evaluate(f"fetch({href!r}).then((r) => r.json())")
    assert manifest["name"] == "Parley" and manifest["display"] == "standalone" and manifest["start_url"] == "/messages/"
    for icon in manifest["icons"]:
        size = int(icon["sizes"].split("x")[0])
        loaded = page.evaluate("""(src) => new Promise((ok) => { const i = new Image(); i.onload = () => ok([i.naturalWidth, i.naturalHeight]); i.onerror = () => ok(null); i.src = src; })""", icon["src"])
        assert loaded == [size, size], icon


def test_mute_a_conversation_from_its_menu_then_unmute(people):
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    alice = people("alice")
    page = alice.page
    page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    page.locator("#conv-menu").click()
    page.get_by_role("button", name="Mute for 1 hour").click()
    expect(page.get_by_text("Conversation muted.")).to_be_visible()
    page.locator("#conv-menu").click()
    expect(page.locator("#menu-muted-state")).to_contain_text("Muted until")
    shot(page, "notifications-mute-menu")
    page.goto("/messages/")
    connected(alice)
    text = token("Muted hello")
    send(bob, text)
    expect(page.locator("#inbox-list")).to_contain_text(text)
    assert notifier(page)["sounds"] == 0  # muted: no sound
    page.goto(f"/messages/{conversation_id}/")
    page.locator("#conv-menu").click()
    page.get_by_role("button", name="Unmute").click()
    expect(page.get_by_text("Notifications for this conversation are on again.")).to_be_visible()
    page.locator("#conv-menu").click()
    expect(page.get_by_role("button", name="Mute until I unmute")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_mute_in_one_tab_reaches_the_other_tab_live(people, live_server_proc, viewport):
    """Two tabs of alice's on the conversation: tab 1 mutes, tab 2 (hidden, so it would ring)
    shows the mute in its menu without a reload and stays silent; an unmute in tab 1 makes it
    ring again."""
    bob = people("bob")
    conversation_id = contact_seller(bob, LAMP)
    alice = people("alice", viewport)
    alice.context.grant_permissions(["notifications"], origin=live_server_proc.base_url)
    alice.context.add_init_script(VISIBILITY)
    tab1, tab2 = alice.page, alice.context.new_page()
    tab2.on("pageerror", lambda exc: alice.errors.append(str(exc)))
    for tab in (tab1, tab2):
        tab.goto(f"/messages/{conversation_id}/")
        expect(tab.locator("#conn-status")).to_have_attribute("data-state", "connected", timeout=10_000)
    try:
        tab2.evaluate("window.__sameTab = true")
        hide(tab2)
        before = token("Before the mute")
        send(bob, before)
        tab2.wait_for_function("window.parleyNotifier.stats.sounds === 1")
        assert len(notifier(tab2)["shown"]) == 1, "hidden and not muted: it rings and shows"
        tab1.locator("#conv-menu").click()
        tab1.get_by_role("button", name="Mute until I unmute").click()
        expect(tab1.get_by_text("Conversation muted.")).to_be_visible()
        tab2.locator("#conv-menu").click()
        expect(tab2.locator("#menu-muted-state")).to_have_text("Muted until you unmute")
        expect(tab2.get_by_role("button", name="Unmute")).to_be_visible()
        expect(tab2.get_by_role("button", name="Mute for 1 hour")).to_be_hidden()
        shot(tab2, f"notifications-mute-other-tab-{'phone' if viewport == PHONE else 'desktop'}")
        tab2.keyboard.press("Escape")
        after = token("After the mute")
        send(bob, after)
        expect(tab2.locator(".msg", has_text=after)).to_have_count(1)
        seen = notifier(tab2)
        assert seen["sounds"] == 1 and len(seen["shown"]) == 1, "muted: no sound, no notification"
        assert tab2.evaluate("window.__sameTab === true"), "tab 2 was not reloaded"
        tab1.locator("#conv-menu").click()
        tab1.get_by_role("button", name="Unmute").click()
        expect(tab1.get_by_text("Notifications for this conversation are on again.")).to_be_visible()
        tab2.locator("#conv-menu").click()
        expect(tab2.get_by_role("button", name="Mute for 8 hours")).to_be_visible()
        expect(tab2.locator("#menu-muted-state")).to_be_hidden()
        tab2.keyboard.press("Escape")
        again = token("After the unmute")
        send(bob, again)
        tab2.wait_for_function("window.parleyNotifier.stats.sounds === 2")
    finally:  # the live server is shared: leave alice unmuted, through the API
        csrf = next(c["value"] for c in alice.context.cookies() if c["name"] == "csrftoken")
        r = tab1.request.delete(f"/api/v1/conversations/{conversation_id}/mute", headers={"X-CSRFToken": csrf})
        assert r.status == 200 and r.json()["muted"] is False


def test_quiet_hours_in_french(people):
    alice = people("alice", locale="fr-FR")
    page = alice.page
    page.goto("/settings/#settings-notifications")
    expect(page.get_by_role("switch", name="Son", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Activer les notifications sur cet appareil")).to_be_visible()
    page.get_by_label("De", exact=True).fill("22:00")
    page.get_by_label("Jusqu’à", exact=True).fill("08:00")
    page.get_by_label("Fuseau horaire").select_option("Europe/Paris")
    page.locator("#notify-quiet-save").click()
    expect(page.get_by_text("Heures calmes enregistrées.")).to_be_visible()
    expect(page.get_by_label("De", exact=True)).to_have_value("22:00")
    expect(page.get_by_label("Fuseau horaire")).to_have_value("Europe/Paris")
    shot(page, "notifications-settings-fr", full_page=True)
    page.get_by_label("De", exact=True).fill("")
    page.get_by_label("Jusqu’à", exact=True).fill("")
    page.locator("#notify-quiet-save").click()
    expect(page.get_by_text("Heures calmes enregistrées.")).to_be_visible()

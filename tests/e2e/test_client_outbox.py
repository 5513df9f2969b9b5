"""Nothing typed is lost: the outbox and drafts live in the browser, per user.

A message sent offline survives closing the tab and is sent exactly once (same client_msg_id)
by whichever tab of that user is open and online next; closing a tab with a send pending asks
first; log-out clears what was kept.
"""

import re

import pytest
from playwright.sync_api import expect

from .client_support import composer, connected, contact_seller, outbox, server_bodies, stored, token
from .conftest import shot

pytestmark = pytest.mark.e2e

BIKE = "Vintage road bike"  # alice's
LAMP = "Brass desk lamp"  # alice's


def go_offline(user):
    user.context.set_offline(True)
    expect(user.page.locator("#conn-status")).not_to_have_attribute("data-state", "connected", timeout=5_000)


def test_sent_offline_then_tab_closed_arrives_once_when_back(people, live_server_proc):
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    alice = people("alice")
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)

    go_offline(bob)
    text = token("Typed in the train")
    composer(bob.page).fill(text)
    bob.page.get_by_role("button", name="Send", exact=True).click()
    expect(bob.page.locator(".msg.mine.pending", has_text=text)).to_be_visible()
    kept = outbox(bob.page)
    assert [i["body"] for i in kept] == [text]
    cmid = kept[0]["cmid"]
    shot(bob.page, "outbox-pending-offline-desktop")
    bob.page.close()  # the tab is closed while offline
    bob.context.set_offline(False)
    assert text not in server_bodies(live_server_proc, "bob", conversation_id)

    # Back later, on any Parley page: the stored message goes, once, with its client_msg_id.
    bob.page = bob.context.new_page()
    bob.page.goto("/marketplace/")
    connected(bob)
    expect(alice.page.locator(".msg.theirs .bubble", has_text=text)).to_have_count(1, timeout=10_000)
    bob.page.wait_for_function("() => !Object.keys(localStorage).some(k => k.endsWith(':outbox'))", timeout=5_000)
    bob.page.goto(f"/messages/{conversation_id}/")
    connected(bob)
    expect(bob.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1)
    assert bob.page.locator(f'.msg[data-cmid="{cmid}"]').count() == 1
    bob.page.wait_for_timeout(300)
    expect(alice.page.locator(".msg .bubble", has_text=text)).to_have_count(1)
    assert server_bodies(live_server_proc, "bob", conversation_id).count(text) == 1


def test_reopened_on_the_conversation_the_pending_bubble_is_confirmed(people, live_server_proc):
    bob = people("bob")
    conversation_id = contact_seller(bob, LAMP)
    go_offline(bob)
    text = token("Still there after closing")
    composer(bob.page).fill(text)
    composer(bob.page).press("Enter")
    expect(bob.page.locator(".msg.mine.pending", has_text=text)).to_be_visible()
    bob.page.close()
    bob.context.set_offline(False)
    # Reopened while the server does not answer yet (a socket accepted but silent): the stored
    # message is shown waiting; when the link comes, it is confirmed.
    held = []

    def route(ws):
        if not held:
            held.append(ws)
        else:
            ws.connect_to_server()

    bob.page = bob.context.new_page()
    bob.page.route_web_socket(re.compile(r".*/ws/$"), route)
    bob.page.goto(f"/messages/{conversation_id}/")
    expect(bob.page.locator(".msg.mine.pending", has_text=text)).to_be_visible()
    shot(bob.page, "outbox-restored-desktop")
    held[0].close(code=1012)
    expect(bob.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=15_000)
    expect(bob.page.locator(".msg .bubble", has_text=text)).to_have_count(1)
    assert server_bodies(live_server_proc, "bob", conversation_id).count(text) == 1


def test_another_open_tab_sends_what_a_closed_tab_left(people, live_server_proc):
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    other = bob.context.new_page()
    other.goto("/marketplace/")
    expect(other.locator("#conn-status")).to_have_attribute("data-state", "connected", timeout=10_000)

    # The first tab loses its link alone (suspend: set_offline would take both tabs down).
    bob.page.evaluate("window.parleyConnection.suspend()")
    expect(bob.page.locator("#conn-status")).to_have_attribute("data-state", "offline")
    text = token("Handed over between tabs")
    composer(bob.page).fill(text)
    bob.page.get_by_role("button", name="Send", exact=True).click()
    expect(bob.page.locator(".msg.mine", has_text=text)).to_have_count(1)
    # The open tab hears of it through storage and sends it.
    other.wait_for_function("() => !Object.keys(localStorage).some(k => k.endsWith(':outbox'))", timeout=10_000)
    assert server_bodies(live_server_proc, "bob", conversation_id).count(text) == 1
    # The first tab comes back and shows it once, confirmed.
    bob.page.evaluate("window.parleyConnection.resume()")
    expect(bob.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=10_000)
    expect(bob.page.locator(".msg .bubble", has_text=text)).to_have_count(1)
    assert server_bodies(live_server_proc, "bob", conversation_id).count(text) == 1
    other.close()


def test_draft_is_kept_per_conversation_and_restored(people):
    bob = people("bob")
    bike_id = contact_seller(bob, BIKE)
    draft = token("Half a question about the saddle")
    composer(bob.page).fill(draft)
    lamp_id = contact_seller(bob, LAMP)
    expect(composer(bob.page)).to_have_value("")
    composer(bob.page).fill("lamp draft")
    bob.page.goto(f"/messages/{bike_id}/")
    expect(composer(bob.page)).to_have_value(draft)
    bob.page.reload()
    expect(composer(bob.page)).to_have_value(draft)
    # Sending clears it.
    composer(bob.page).press("Enter")
    expect(bob.page.locator(".msg.mine[data-seq]", has_text=draft)).to_have_count(1, timeout=5_000)
    bob.page.reload()
    expect(composer(bob.page)).to_have_value("")
    bob.page.goto(f"/messages/{lamp_id}/")
    expect(composer(bob.page)).to_have_value("lamp draft")
    composer(bob.page).fill("")


def test_closing_with_a_send_pending_asks_first(people):
    bob = people("bob")
    contact_seller(bob, LAMP)
    kinds = []
    bob.page.on("dialog", lambda d: kinds.append(d.type))  # the fixture's handler dismisses it
    go_offline(bob)
    composer(bob.page).fill(token("Pending when closing"))
    bob.page.get_by_role("button", name="Send", exact=True).click()
    expect(bob.page.locator(".msg.mine.pending")).to_have_count(1)
    bob.page.close(run_before_unload=True)
    bob.page.wait_for_timeout(500)
    assert kinds == ["beforeunload"]
    assert not bob.page.is_closed(), "dismissing the question keeps the tab open"
    # Back online it goes, and leaving no longer asks (the handler lets the page go).
    bob.context.set_offline(False)
    expect(bob.page.locator(".msg.mine.pending")).to_have_count(0, timeout=15_000)
    assert bob.page.evaluate(ASKS) is False
    composer(bob.page).fill("typed but not sent: a draft, kept in storage, no question")
    assert bob.page.evaluate(ASKS) is False


# Whether the page's beforeunload handler would ask (the real dialog is checked above).
ASKS = "() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; }"


def test_log_out_clears_the_outbox_and_drafts(people):
    carol = people("carol")
    carol.page.goto("/marketplace/")
    carol.page.get_by_role("link", name=BIKE, exact=True).click()
    carol.page.locator("#contact-seller").click()
    carol.page.wait_for_url(re.compile(r".*/messages/\d+/"))  # not the listing page's socket
    connected(carol)
    composer(carol.page).fill(token("A draft carol leaves"))
    uid = carol.page.evaluate("document.body.dataset.userId")
    # A message that could not be sent yet, as a closed offline tab leaves it.
    carol.page.evaluate(
        f"localStorage.setItem('parley:{uid}:outbox', JSON.stringify([{{cmid: crypto.randomUUID(), conversation_id: 999999, body: 'x', state: 'queued', created_at: new Date().toISOString()}}]))"
    )
    carol.page.evaluate("localStorage.setItem('parley:someone-else:draft:1', 'not carol')")
    assert any(k.startswith(f"parley:{uid}:draft:") for k in stored(carol.page))
    carol.page.locator("#user-menu").click()
    carol.page.locator("#logout-button").click()
    carol.page.wait_for_url(re.compile(r".*/accounts/login/"))
    assert carol.dialogs == []
    left = stored(carol.page)
    assert not [k for k in left if k.startswith(f"parley:{uid}:")], left
    assert left.get("parley:someone-else:draft:1") == "not carol"


def test_a_refused_message_comes_back_and_stays_as_the_draft(people):
    bob = people("bob")
    contact_seller(bob, LAMP)
    bad = token("bell") + "\u0007"
    composer(bob.page).fill(bad)
    composer(bob.page).press("Enter")
    expect(bob.page.locator("#composer-error")).to_contain_text("control character", timeout=5_000)
    expect(composer(bob.page)).to_have_value(bad)
    assert outbox(bob.page) == []
    bob.page.reload()
    expect(composer(bob.page)).to_have_value(bad)
    composer(bob.page).fill("")


def test_text_typed_before_the_page_script_ran_is_kept_as_the_draft(people):
    """On a slow page the box can be typed in before conversation.js runs: that text stays."""
    bob = people("bob")
    conversation_id = contact_seller(bob, LAMP)
    release = []

    def slow(route):
        release.append(route)

    bob.page.route(re.compile(r".*/conversation(\.[0-9a-f]+)?\.js$"), slow)
    bob.page.goto(f"/messages/{conversation_id}/", wait_until="commit")
    early = token("Typed while the page loads")
    expect(composer(bob.page)).to_be_visible()
    composer(bob.page).fill(early)
    assert release, "the page asks for conversation.js"
    for route in release:
        route.continue_()
    bob.page.wait_for_load_state("domcontentloaded")  # module scripts have run by then
    connected(bob)
    expect(composer(bob.page)).to_have_value(early)
    uid = bob.page.evaluate("document.body.dataset.userId")
    assert stored(bob.page).get(f"parley:{uid}:draft:{conversation_id}") == early

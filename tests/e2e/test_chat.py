"""Two people chat in Chromium: contact a seller, live delivery, read marks, safety and reconnects.

The live server is shared with other test modules, so every test makes its own unique
message text and never assumes a conversation starts empty.
"""

import json
import re
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import CONVERSATION_URL, DESKTOP, PHONE, shot

pytestmark = pytest.mark.e2e

BIKE = "Vintage road bike"  # alice's
LAMP = "Brass desk lamp"  # alice's
CAMERA = "Film camera 35 mm"  # alice's
GUITAR = "Acoustic guitar"  # bob's


def token(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:8]}"


def connected(user, timeout=10_000):
    expect(user.page.locator("#conn-status")).to_have_attribute("data-state", "connected", timeout=timeout)


def contact_seller(user, title: str) -> int:
    """From the marketplace, open a listing and press Contact seller; return the conversation id."""
    page = user.page
    page.goto("/marketplace/")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    page.locator("#contact-seller").click()
    page.wait_for_url(CONVERSATION_URL)
    connected(user)
    return int(CONVERSATION_URL.match(page.url).group(1))


def composer(page):
    return page.get_by_role("textbox", name="Message", exact=True)


def send(user, text: str) -> None:
    page = user.page
    composer(page).fill(text)
    page.get_by_role("button", name="Send", exact=True).click()
    # Shown at once, then confirmed by the server (it gets a seq).
    expect(page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=5_000)


def bubbles(page, text: str):
    return page.locator(".msg .bubble", has_text=text)


def test_buyer_contacts_seller_and_they_chat_live(people):
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    expect(bob.page.locator(".chat-listing")).to_contain_text(BIKE)
    first = token("Hello Alice, is the bike still for sale?")
    send(bob, first)
    shot(bob.page, "conversation-buyer-desktop")

    # Alice sees the unread badge and the conversation in her inbox, and opens it.
    alice = people("alice")
    badge = alice.page.locator("#nav-messages [data-unread-badge]")
    expect(badge).to_be_visible()
    assert int(badge.inner_text()) >= 1
    alice.page.goto("/messages/")
    row = alice.page.locator(f'li[data-conversation-id="{conversation_id}"]')
    expect(row).to_contain_text(BIKE)
    expect(row).to_contain_text("Bob Dupont")
    expect(row).to_contain_text(first)
    expect(row.locator(".unread-count")).to_be_visible()
    shot(alice.page, "inbox-desktop")
    row.get_by_role("link").click()
    alice.page.wait_for_url(f"**/messages/{conversation_id}/")
    connected(alice)
    expect(bubbles(alice.page, first)).to_be_visible()

    # Bob's next message appears on Alice's open page within a second, without a reload.
    second = token("Could I see it on Saturday?")
    composer(bob.page).fill(second)
    bob.page.get_by_role("button", name="Send", exact=True).click()
    expect(bubbles(alice.page, second)).to_be_visible(timeout=1_000)
    expect(alice.page.locator(".msg.theirs", has_text=second)).to_have_count(1)

    # Alice replies; Bob sees it, and "Seen" under his last message.
    reply = token("Yes, Saturday morning works.")
    send(alice, reply)
    expect(bob.page.locator(".msg.theirs", has_text=reply)).to_be_visible(timeout=2_000)
    last_mine = bob.page.locator(".msg.mine", has_text=second)
    expect(last_mine.locator(".msg-seen")).to_have_text("Seen", timeout=3_000)
    expect(bob.page.locator(".msg-seen")).to_have_count(1)
    shot(bob.page, "conversation-seen-desktop")
    shot(alice.page, "conversation-seller-desktop")

    # A link is clickable only when it is http(s), and opens safely.
    link_text = token("Photos: https://example.com/bike.jpg and javascript:alert(1)")
    send(bob, link_text)
    link = alice.page.locator(".msg.theirs", has_text=link_text).locator("a")
    expect(link).to_have_count(1, timeout=2_000)
    expect(link).to_have_attribute("href", "https://example.com/bike.jpg")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")


def test_markup_in_messages_shows_as_plain_text(people):
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    alice = people("alice")
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    script = "<script>alert(1)</script> " + uuid.uuid4().hex[:6]
    image = "<img src=x onerror=alert(1)> " + uuid.uuid4().hex[:6]
    send(bob, script)
    send(bob, image)
    for user in (bob, alice):
        expect(bubbles(user.page, script)).to_be_visible(timeout=3_000)
        expect(bubbles(user.page, image)).to_be_visible(timeout=3_000)
        assert user.page.locator(".bubble img, .bubble script").count() == 0
    # The inbox preview is text too.
    alice.page.goto("/messages/")
    expect(alice.page.locator(f'li[data-conversation-id="{conversation_id}"] .preview')).to_contain_text("<img src=x")
    assert alice.page.locator(".inbox-list .preview img").count() == 0
    alice.page.wait_for_timeout(300)
    assert bob.dialogs == [] and alice.dialogs == []


def test_non_participant_gets_404(people, live_server_proc):
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    carol = people("carol")
    response = carol.page.goto(f"/messages/{conversation_id}/")
    assert response.status == 404
    expect(carol.page.locator("#error-404")).to_be_visible()
    expect(carol.page.locator(".bubble")).to_have_count(0)
    shot(carol.page, "404-desktop")


def test_chat_at_phone_size(people):
    bob = people("bob", PHONE)
    conversation_id = contact_seller(bob, LAMP)
    hello = token("Is the lamp still working?")
    send(bob, hello)
    shot(bob.page, "conversation-buyer-phone")

    alice = people("alice", PHONE)
    # At phone size the inbox icon with its badge stays outside the collapsed menu.
    expect(alice.page.locator(".nav-icon-link [data-unread-badge]")).to_be_visible()
    alice.page.goto("/messages/")
    row = alice.page.locator(f'li[data-conversation-id="{conversation_id}"]')
    expect(row).to_contain_text(hello)
    shot(alice.page, "inbox-phone")
    row.get_by_role("link").click()
    alice.page.wait_for_url(f"**/messages/{conversation_id}/")
    connected(alice)
    reply = token("It works perfectly.")
    send(alice, reply)
    expect(bob.page.locator(".msg.theirs", has_text=reply)).to_be_visible(timeout=2_000)
    # The composer and the newest message are on screen, not below the fold.
    expect(composer(bob.page)).to_be_in_viewport()
    expect(bob.page.locator(".msg.theirs", has_text=reply)).to_be_in_viewport()
    shot(bob.page, "conversation-phone")
    shot(alice.page, "conversation-seller-phone")

    bob.page.goto("/marketplace/")
    shot(bob.page, "marketplace-phone", full_page=True)
    bob.page.get_by_role("link", name=CAMERA, exact=True).click()
    shot(bob.page, "listing-phone", full_page=True)


def test_double_click_on_send_creates_one_message(people, live_server_proc):
    bob = people("bob")
    conversation_id = contact_seller(bob, CAMERA)
    text = token("Double click")
    composer(bob.page).fill(text)
    bob.page.get_by_role("button", name="Send", exact=True).dblclick()
    expect(bob.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=5_000)
    bob.page.wait_for_timeout(500)
    expect(bubbles(bob.page, text)).to_have_count(1)
    expect(bob.page.locator("#composer-error")).to_be_hidden()
    # The server holds exactly one, too.
    api = live_server_proc.login("bob")
    try:
        found = api.get(f"/api/v1/conversations/{conversation_id}/messages", params={"limit": 100}).json()["messages"]
    finally:
        api.close()
    assert [m["body"] for m in found].count(text) == 1


def test_empty_message_shows_an_error_near_the_composer(people):
    bob = people("bob")
    contact_seller(bob, CAMERA)
    composer(bob.page).fill("   ")
    composer(bob.page).press("Enter")
    expect(bob.page.locator("#composer-error")).to_have_text("Write a message before sending.")
    # Shift+Enter is a new line, not a send.
    composer(bob.page).fill("line one")
    composer(bob.page).press("Shift+Enter")
    composer(bob.page).type("line two")
    expect(composer(bob.page)).to_have_value("line one\nline two")
    composer(bob.page).press("Enter")
    expect(bob.page.locator(".msg.mine[data-seq]", has_text="line one")).to_contain_text("line two")
    expect(bob.page.locator("#composer-error")).to_be_hidden()
    # Too long: refused before sending, with the limit.
    composer(bob.page).fill("x" * 5001)
    composer(bob.page).press("Enter")
    expect(bob.page.locator("#composer-error")).to_contain_text("5001")
    expect(bob.page.locator("#composer-error")).to_contain_text("5000")
    # The server refuses a control character: the text comes back to the composer to fix.
    bad = token("bell") + "\u0007"
    composer(bob.page).fill(bad)
    composer(bob.page).press("Enter")
    expect(bob.page.locator("#composer-error")).to_contain_text("control character", timeout=5_000)
    expect(composer(bob.page)).to_have_value(bad)
    expect(bob.page.locator(".msg", has_text=bad[:-1])).to_have_count(0)


def test_reconnect_catches_up_missed_messages_once(people):
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    alice = people("alice")
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)

    alice.context.set_offline(True)
    expect(alice.page.locator("#conn-status")).not_to_have_attribute("data-state", "connected", timeout=5_000)
    missed = token("Sent while you were away")
    send(bob, missed)
    alice.page.wait_for_timeout(700)
    expect(bubbles(alice.page, missed)).to_have_count(0)
    shot(alice.page, "conversation-offline-desktop")

    alice.context.set_offline(False)
    connected(alice, timeout=10_000)
    expect(bubbles(alice.page, missed)).to_have_count(1, timeout=5_000)
    after = token("And after")
    send(bob, after)
    expect(bubbles(alice.page, after)).to_have_count(1, timeout=2_000)
    alice.page.wait_for_timeout(300)
    expect(bubbles(alice.page, missed)).to_have_count(1)


def test_message_typed_offline_is_sent_after_reconnect(people):
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    alice = people("alice")
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)

    bob.context.set_offline(True)
    expect(bob.page.locator("#conn-status")).not_to_have_attribute("data-state", "connected", timeout=5_000)
    queued = token("Queued while offline")
    composer(bob.page).fill(queued)
    bob.page.get_by_role("button", name="Send", exact=True).click()
    expect(bob.page.locator(".msg.mine.pending", has_text=queued)).to_be_visible()
    bob.context.set_offline(False)
    expect(bob.page.locator(".msg.mine[data-seq]", has_text=queued)).to_have_count(1, timeout=10_000)
    expect(bubbles(alice.page, queued)).to_have_count(1, timeout=3_000)
    bob.page.wait_for_timeout(300)
    expect(bubbles(bob.page, queued)).to_have_count(1)


def test_unread_badge_updates_live_on_the_marketplace(people):
    bob = people("bob")
    contact_seller(bob, LAMP)
    alice = people("alice")
    alice.page.goto("/marketplace/")
    connected(alice)
    badge = alice.page.locator("#nav-messages [data-unread-badge]")
    before = int(badge.inner_text()) if badge.is_visible() else 0
    send(bob, token("Any chance of a discount?"))
    expect(badge).to_be_visible(timeout=2_000)
    expect(badge).to_have_text(str(before + 1), timeout=2_000)
    shot(alice.page, "marketplace-badge-desktop")


def test_seller_sees_no_contact_button_on_own_listing(people):
    alice = people("alice")
    alice.page.goto("/marketplace/")
    shot(alice.page, "marketplace-desktop", full_page=True)
    alice.page.get_by_role("link", name=BIKE, exact=True).click()
    expect(alice.page.get_by_role("heading", name=BIKE, exact=True)).to_be_visible()
    expect(alice.page.locator("#contact-seller")).to_have_count(0)
    expect(alice.page.locator("#own-listing-note")).to_be_visible()
    shot(alice.page, "listing-own-desktop", full_page=True)


def test_anonymous_contact_leads_to_login_and_back(people):
    visitor = people(None)
    visitor.page.goto("/marketplace/")
    visitor.page.get_by_role("link", name=GUITAR, exact=True).click()
    listing_url = visitor.page.url
    shot(visitor.page, "listing-anonymous-desktop", full_page=True)
    visitor.page.locator("#contact-seller").click()
    visitor.page.wait_for_url(re.compile(r".*/accounts/login/\?next=.*"))
    visitor.page.fill("#id_username", "carol")
    visitor.page.fill("#id_password", "parley-demo")
    visitor.page.click("#login-form button[type=submit]")
    visitor.page.wait_for_url(listing_url)
    expect(visitor.page.locator("#contact-seller")).to_be_visible()


def test_login_page_lists_demo_accounts(people):
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        visitor = people(None, size)
        visitor.page.goto("/accounts/login/")
        demo = visitor.page.locator("#demo-accounts")
        for username in ("alice", "bob", "carol"):
            expect(demo.locator(f'button[data-username="{username}"]')).to_be_visible()
        expect(demo).to_contain_text("parley-demo")
        shot(visitor.page, f"login-{name}", full_page=True)
    # One click logs in as that person.
    demo.get_by_role("button", name=re.compile("Bob Dupont")).click()
    visitor.page.wait_for_url(re.compile(r".*/marketplace/$"))
    expect(visitor.page.locator("#conn-status")).to_be_attached()


def test_log_out_and_language_switch(people):
    carol = people("carol")
    carol.page.goto("/marketplace/")
    carol.page.locator("#lang-menu").click()
    carol.page.get_by_role("button", name="Français").click()
    expect(carol.page.locator("html")).to_have_attribute("lang", "fr")
    carol.page.locator("#lang-menu").click()
    carol.page.get_by_role("button", name="English").click()
    expect(carol.page.locator("html")).to_have_attribute("lang", "en")
    carol.page.locator("#user-menu").click()
    carol.page.locator("#logout-button").click()
    carol.page.wait_for_url(re.compile(r".*/accounts/login/"))
    expect(carol.page.locator("#id_username")).to_be_visible()


def test_older_messages_load_on_scroll_up(people, live_server_proc):
    carol_api = live_server_proc.login("carol")
    try:
        conv = _carol_conversation_with_history(carol_api)
    finally:
        carol_api.close()
    carol = people("carol")
    carol.page.goto(f"/messages/{conv['id']}/")
    connected(carol)
    scroller = carol.page.locator("#chat-scroll")
    expect(carol.page.locator(".msg", has_text=conv["last"])).to_be_visible()
    first = carol.page.locator(".msg", has_text=conv["first"])
    for _ in range(20):
        if first.count():
            break
        scroller.evaluate("el => el.scrollTop = 0")
        carol.page.wait_for_timeout(250)
    expect(first).to_have_count(1, timeout=5_000)
    expect(carol.page.locator("#chat-top-note")).to_have_text("This is the start of your conversation.", timeout=5_000)
    seqs = [int(s) for s in carol.page.locator(".msg[data-seq]").evaluate_all("els => els.map(e => e.dataset.seq)")]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))


def _carol_conversation_with_history(client: httpx.Client) -> dict:
    """Carol asks about alice's camera with 45 messages over the API; return ids and texts."""
    me = client.get("/api/v1/me").json()
    assert me["user"]["username"] == "carol"
    r = client.get("/marketplace/")
    match = re.search(r'href="/marketplace/(\d+)/">' + re.escape(CAMERA), r.text)
    assert match, "the camera listing is on the marketplace"
    created = client.post("/api/v1/conversations", json={"listing_id": int(match.group(1))})
    assert created.status_code in (200, 201), created.text
    conversation_id = created.json()["conversation"]["id"]
    label = uuid.uuid4().hex[:6]
    texts = [f"History {label} #{i}" for i in range(45)]
    for text in texts:
        sent = client.post(
            f"/api/v1/conversations/{conversation_id}/messages", json={"body": text, "client_msg_id": str(uuid.uuid4())}
        )
        assert sent.status_code == 201, sent.text
    return {"id": conversation_id, "first": texts[0], "last": texts[-1]}


def test_inbox_moves_the_conversation_to_the_top_live(people):
    bob = people("bob")
    lamp_id = contact_seller(bob, LAMP)
    send(bob, token("Lamp first"))
    bike_id = contact_seller(bob, BIKE)
    send(bob, token("Bike second"))
    alice = people("alice")
    alice.page.goto("/messages/")
    connected(alice)
    rows = alice.page.locator("#inbox-list > li")
    expect(rows.first).to_have_attribute("data-conversation-id", str(bike_id))
    bob.page.goto(f"/messages/{lamp_id}/")
    connected(bob)
    latest = token("Lamp again, <b>bold?</b>")
    send(bob, latest)
    expect(rows.first).to_have_attribute("data-conversation-id", str(lamp_id), timeout=5_000)
    expect(rows.first.locator(".preview")).to_have_text(latest)
    expect(rows.first.locator(".unread-count")).to_be_visible()
    assert alice.page.locator(f'#inbox-list > li[data-conversation-id="{lamp_id}"]').count() == 1
    # Reading it elsewhere (another tab of alice's) clears the row's unread count live.
    other_tab = alice.context.new_page()
    other_tab.goto(f"/messages/{lamp_id}/")
    expect(rows.first.locator(".unread-count")).to_have_count(0, timeout=5_000)
    other_tab.close()


def test_new_messages_pill_when_scrolled_up(people, live_server_proc):
    carol_api = live_server_proc.login("carol")
    try:
        conv = _carol_conversation_with_history(carol_api)
        carol = people("carol")
        carol.page.goto(f"/messages/{conv['id']}/")
        connected(carol)
        scroller = carol.page.locator("#chat-scroll")
        expect(carol.page.locator(".msg", has_text=conv["last"])).to_be_in_viewport()
        scroller.evaluate("el => el.scrollTop = el.scrollHeight / 2")
        carol.page.wait_for_timeout(300)
        alice_api = live_server_proc.login("alice")
        try:
            news = token("A new message while you read history")
            sent = alice_api.post(
                f"/api/v1/conversations/{conv['id']}/messages", json={"body": news, "client_msg_id": str(uuid.uuid4())}
            )
            assert sent.status_code == 201, sent.text
        finally:
            alice_api.close()
        pill = carol.page.get_by_role("button", name="New messages")
        expect(pill).to_be_visible(timeout=2_000)
        expect(carol.page.locator(".msg", has_text=news)).not_to_be_in_viewport()
        shot(carol.page, "conversation-new-pill-desktop")
        pill.click()
        expect(carol.page.locator(".msg", has_text=news)).to_be_in_viewport(timeout=3_000)
        expect(pill).to_be_hidden()
    finally:
        carol_api.close()


def test_failed_send_retries_with_the_same_client_msg_id(people, live_server_proc):
    bob = people("bob")
    conversation_id = contact_seller(bob, CAMERA)
    sends: list[dict] = []
    dropped = {"left": 1}

    def route(ws):
        server = ws.connect_to_server()

        def from_page(message):
            try:
                frame = json.loads(message)
            except (TypeError, ValueError):
                frame = None
            if isinstance(frame, dict) and frame.get("type") == "send":
                sends.append(frame)
                if dropped["left"]:
                    dropped["left"] -= 1
                    return  # lost on the way: no ack will come
            server.send(message)

        ws.on_message(from_page)

    bob.page.route_web_socket(re.compile(r".*/ws/$"), route)
    bob.page.reload()
    connected(bob)
    text = token("Lost the first time")
    composer(bob.page).fill(text)
    bob.page.get_by_role("button", name="Send", exact=True).click()
    failed = bob.page.locator(".msg.mine.failed", has_text=text)
    expect(failed).to_be_visible(timeout=15_000)
    expect(bob.page.locator("#composer-error")).to_be_visible()
    shot(bob.page, "conversation-failed-desktop")
    failed.get_by_role("button", name="Retry").click()
    expect(bob.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=5_000)
    expect(bubbles(bob.page, text)).to_have_count(1)
    expect(bob.page.locator("#composer-error")).to_be_hidden()
    assert len(sends) == 2 and sends[0]["client_msg_id"] == sends[1]["client_msg_id"]
    api = live_server_proc.login("bob")
    try:
        found = api.get(f"/api/v1/conversations/{conversation_id}/messages", params={"limit": 100}).json()["messages"]
    finally:
        api.close()
    assert [m["body"] for m in found].count(text) == 1


def test_sign_up_then_land_logged_in(people):
    visitor = people(None, PHONE)
    visitor.page.goto("/accounts/signup/?next=/messages/")
    shot(visitor.page, "signup-phone", full_page=True)
    username = f"dana{uuid.uuid4().hex[:6]}"
    visitor.page.get_by_label("Username").fill(username)
    visitor.page.get_by_label("Email address").fill(f"{username}@example.com")
    visitor.page.get_by_label("Password", exact=True).fill("a long and unusual passphrase 42")
    visitor.page.get_by_label("Password confirmation").fill("a long and unusual passphrase 42")
    visitor.page.get_by_role("button", name="Sign up").click()
    visitor.page.wait_for_url(re.compile(r".*/messages/$"))
    expect(visitor.page.locator("#inbox-empty")).to_be_visible()
    expect(visitor.page.locator("#conn-status")).to_have_attribute("data-state", "connected", timeout=10_000)


def test_back_on_the_websocket_after_a_fallback(people):
    """Two refused sockets switch the tab to long-polling; a later probe brings the WebSocket back."""
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    alice = people("alice")
    attempts = {"n": 0}

    def route(ws):
        attempts["n"] += 1
        if attempts["n"] <= 2:
            ws.close(code=1011)
        else:
            ws.connect_to_server()

    alice.page.add_init_script("window.parleyWsProbeMs = 1500")
    alice.page.route_web_socket(re.compile(r".*/ws/$"), route)
    alice.page.goto(f"/messages/{conversation_id}/")
    expect(alice.page.locator("#conn-status")).to_have_attribute("data-state", "fallback", timeout=15_000)
    during = token("While long-polling")
    send(bob, during)
    expect(bubbles(alice.page, during)).to_have_count(1, timeout=10_000)
    connected(alice, timeout=15_000)
    assert alice.page.evaluate("window.parleyConnection.transport") == "websocket"
    after = token("Back on the socket")
    send(bob, after)
    expect(bubbles(alice.page, after)).to_have_count(1, timeout=2_000)
    alice.page.wait_for_timeout(500)
    expect(bubbles(alice.page, during)).to_have_count(1)
    expect(bubbles(alice.page, after)).to_have_count(1)

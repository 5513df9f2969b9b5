"""The conversation page's polish, in Chromium: message groups with one time, avatars and the
other person's name as the page's h1, dir="auto", "Show more" for long messages, and the
Enter key on touch phones."""

import pytest
from playwright.sync_api import expect

from .client_support import composer, connected, contact_seller, token, touch_person
from .conftest import PHONE, shot

pytestmark = pytest.mark.e2e

BIKE = "Vintage road bike"  # alice's
CAMERA = "Film camera 35 mm"  # alice's


def send(user, text: str) -> None:
    composer(user.page).fill(text)
    user.page.get_by_role("button", name="Send", exact=True).click()
    expect(user.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=5_000)


def test_consecutive_messages_form_a_group_with_one_time(people):
    bob = people("bob")
    conversation_id = contact_seller(bob, CAMERA)
    texts = [token("First of three"), token("Second"), token("Third")]
    for text in texts:
        send(bob, text)
    nodes = [bob.page.locator(".msg", has_text=t) for t in texts]
    # Only the last bubble of the group shows its time.
    expect(nodes[0].locator(".msg-meta")).to_be_hidden()
    expect(nodes[1].locator(".msg-meta")).to_be_hidden()
    expect(nodes[2].locator(".msg-meta time")).to_be_visible()
    expect(nodes[1]).not_to_have_class("group-start")
    assert "group-end" in nodes[2].get_attribute("class")
    assert "group-end" not in nodes[0].get_attribute("class")

    # The other person's reply starts a group of its own, with their avatar beside it.
    alice = people("alice")
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    reply = token("Alice answers")
    send(alice, reply)
    theirs = bob.page.locator(".msg.theirs", has_text=reply)
    expect(theirs).to_be_visible(timeout=3_000)
    assert "group-start" in theirs.get_attribute("class") and "group-end" in theirs.get_attribute("class")
    expect(theirs.locator(".msg-avatar")).to_have_text("AM")
    expect(theirs.locator(".msg-meta time")).to_be_visible()
    expect(nodes[2].locator(".msg-meta time")).to_be_visible()
    shot(bob.page, "conversation-groups-desktop")


def test_header_names_the_other_person_in_an_h1_with_an_avatar(people):
    bob = people("bob")
    contact_seller(bob, BIKE)
    heading = bob.page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Alice Martin")
    expect(bob.page.locator(".chat-header .chat-avatar")).to_have_text("AM")
    expect(bob.page.locator(".chat-listing")).to_contain_text(BIKE)
    expect(bob.page.locator("#chat")).to_have_accessible_name("Alice Martin")


def test_message_text_reads_in_its_own_direction(people):
    bob = people("bob")
    conversation_id = contact_seller(bob, BIKE)
    arabic = "هل الدراجة ما زالت متاحة؟ " + token("")
    send(bob, arabic)
    bubble = bob.page.locator(".msg .bubble", has_text=arabic.strip())
    expect(bubble).to_have_attribute("dir", "auto")
    direction = bubble.evaluate("el => getComputedStyle(el).direction")
    assert direction == "rtl"
    alice = people("alice")
    alice.page.goto("/messages/")
    expect(alice.page.locator(f'li[data-conversation-id="{conversation_id}"] .preview')).to_have_attribute("dir", "auto")


def test_a_very_long_message_is_folded_behind_show_more(people):
    bob = people("bob")
    contact_seller(bob, CAMERA)
    mark = token("Long story")
    long_text = mark + "\n" + "\n".join(f"Line {i}: the camera has been serviced and the seals replaced." for i in range(40))
    send(bob, mark)  # a short one, not folded
    expect(bob.page.locator(".msg", has_text=mark).first.locator(".show-more")).to_have_count(0)
    composer(bob.page).fill(long_text)
    bob.page.get_by_role("button", name="Send", exact=True).click()
    node = bob.page.locator(".msg.mine[data-seq]", has_text="Line 39")
    expect(node).to_have_count(1, timeout=5_000)
    bubble = node.locator(".bubble")
    expect(bubble).to_have_class("bubble folded")
    folded_height = bubble.evaluate("el => el.clientHeight")
    button = node.get_by_role("button", name="Show more")
    expect(button).to_have_attribute("aria-expanded", "false")
    shot(bob.page, "conversation-show-more-desktop")
    button.click()
    expect(bubble).to_have_class("bubble")
    assert bubble.evaluate("el => el.clientHeight") > folded_height * 1.5
    less = node.get_by_role("button", name="Show less")
    expect(less).to_have_attribute("aria-expanded", "true")
    less.click()
    expect(node.get_by_role("button", name="Show more")).to_be_visible()


def test_on_a_touch_phone_enter_is_a_new_line_and_send_sends(browser, live_server_proc, require_chromium):
    bob = touch_person(browser, live_server_proc, "bob")
    try:
        contact_seller(bob, BIKE)
        box = composer(bob.page)
        text = token("Line one")
        box.fill(text)
        box.press("Enter")
        box.type("line two")
        expect(box).to_have_value(f"{text}\nline two")
        expect(bob.page.locator(".msg", has_text=text)).to_have_count(0)
        expect(bob.page.locator("#composer-keys")).to_be_hidden()
        expect(box).to_have_attribute("enterkeyhint", "enter")
        bob.page.get_by_role("button", name="Send", exact=True).tap()
        expect(bob.page.locator(".msg.mine[data-seq]", has_text=text)).to_contain_text("line two", timeout=5_000)
        expect(box).to_have_value("")
        shot(bob.page, "conversation-touch-phone")
        assert not bob.errors, bob.errors
    finally:
        bob.close()


def test_desktop_keeps_enter_to_send(people):
    bob = people("bob", PHONE)  # a narrow window with a mouse: still Enter to send
    contact_seller(bob, BIKE)
    text = token("Enter sends")
    composer(bob.page).fill(text)
    composer(bob.page).press("Enter")
    expect(bob.page.locator(".msg.mine[data-seq]", has_text=text)).to_have_count(1, timeout=5_000)


def test_a_reader_at_the_bottom_stays_there_when_the_page_changes_size(people, live_server_proc):
    """Layout changes fire no scroll event: a phone's keyboard taking room, a photo arriving.
    The reader at the bottom stays at the bottom; one who scrolled up is not moved. A
    conversation of its own, so other tests' offers and photos do not change the layout."""
    import io
    import json
    import uuid

    from PIL import Image

    from .client_support import seed
    from .conftest import PASSWORD
    from .test_report import person

    tag = uuid.uuid4().hex[:6]
    ids = json.loads(seed(live_server_proc, f"""
        import json, uuid
        from django.contrib.auth import get_user_model
        from parley.conversations import services
        from parley.marketplace.models import Listing
        User = get_user_model()
        seller = User.objects.create_user(username="sel{tag}", password={PASSWORD!r}, first_name="Selma", last_name="Test")
        buyer = User.objects.create_user(username="buy{tag}", password={PASSWORD!r}, first_name="Boris", last_name="Test")
        bike = Listing.objects.create(seller=seller, title="Steel bike {tag}", price="200.00", currency="EUR")
        conv, _ = services.conversation_start(buyer=buyer, listing=bike)
        for i in range(25):
            services.message_send(sender=seller, conversation=conv, body=f"Filler {{i}}: the frame is steel, the paint original.",
                                  client_msg_id=uuid.uuid4())
        print(json.dumps({{"conversation": conv.pk}}))
    """).strip().splitlines()[-1])
    conversation_id = ids["conversation"]
    bob = person(people, f"buy{tag}", "en", PHONE)
    bob.page.goto(f"/messages/{conversation_id}/")
    connected(bob)
    pinned = ("() => { const s = document.getElementById('chat-scroll');"
              " return s.scrollHeight - s.scrollTop - s.clientHeight < 2; }")
    last = bob.page.locator(".msg[data-seq]", has_text="Filler 24")
    expect(last).to_be_in_viewport()
    bob.page.wait_for_function(pinned)

    # The keyboard opens: the page gets 200 px shorter.
    size = bob.page.viewport_size
    bob.page.set_viewport_size({"width": size["width"], "height": size["height"] - 200})
    bob.page.wait_for_function(pinned)
    expect(last).to_be_in_viewport()

    # A photo arrives while bob is at the bottom: once it has loaded, he still sees its end.
    seller_api = live_server_proc.login(f"sel{tag}")
    try:
        out = io.BytesIO()
        Image.new("RGB", (600, 900), (30, 90, 160)).save(out, "JPEG")
        up = seller_api.post("/api/v1/attachments", files={"file": ("tall.jpg", out.getvalue(), "image/jpeg")})
        assert up.status_code == 201, up.text
        r = seller_api.post(f"/api/v1/conversations/{conversation_id}/messages",
                            json={"body": "A tall photo", "client_msg_id": str(uuid.uuid4()),
                                  "attachment_ids": [up.json()["attachment"]["id"]]})
        assert r.status_code == 201, r.text
    finally:
        seller_api.close()
    img = bob.page.locator(".msg", has_text="A tall photo").locator(".att-thumb img")
    bob.page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    bob.page.wait_for_function(pinned)
    shot(bob.page, "chat-pinned-after-photo-phone")

    # Scrolled up to read: the keyboard closing does not pull him down.
    bob.page.evaluate("() => { document.getElementById('chat-scroll').scrollTop = 0; }")
    bob.page.wait_for_timeout(200)
    bob.page.set_viewport_size(size)
    bob.page.wait_for_timeout(300)
    assert bob.page.evaluate("() => document.getElementById('chat-scroll').scrollTop") < 200

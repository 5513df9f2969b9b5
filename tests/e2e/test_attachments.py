"""Photos, PDFs and voice messages in Chromium, two people in two contexts.

bob attaches photos with the **Attach** button (one upload fails and is retried without
choosing it again), watches the progress bars on a slowed link, and sends them with a
caption; alice sees the thumbnails as soon as the message arrives and steps through them in
the full-screen viewer (arrow keys, Escape, a swipe). A photo dropped on the conversation, a
photo pasted into the box and a PDF (name, size, Download) reach alice too; her inbox says
"2 photos". A voice message recorded with Chromium's fake microphone plays on alice's side.
The French page names the button "Joindre".
"""

import base64
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.attachments import files

from .conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, shot
from .test_chat import BIKE, CAMERA, LAMP, connected, contact_seller

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser():
    """Chromium with a fake microphone (a tone) that needs no permission prompt."""
    from playwright.sync_api import sync_playwright

    from tests.support.services import chromium_missing, need

    need(chromium_missing())
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            "--autoplay-policy=no-user-gesture-required"]
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True, timeout=30_000)
        try:
            yield chromium
        finally:
            chromium.close()


def photo(width, height, color, *, noise=False) -> bytes:
    image = Image.new("RGB", (width, height), color)
    if noise:  # a photo-like file big enough for the progress bar to be seen on a slow link
        image = Image.frombytes("RGB", (width, height), bytes((i * 7919) % 251 for i in range(width * height * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def open_both(people, title, viewport=DESKTOP, locale="en-GB"):
    bob = people("bob", viewport, locale=locale)
    conversation_id = contact_seller(bob, title)
    alice = people("alice", viewport, locale=locale)
    alice.page.goto(f"/messages/{conversation_id}/")
    connected(alice)
    return bob, alice, conversation_id


def tray_done(page, count):
    expect(page.locator("#attach-tray .att-item[data-state=done]")).to_have_count(count, timeout=20_000)


def last_message(page):
    return page.locator("#msg-list .msg[data-id]").last


def loaded_images(locator) -> int:
    return locator.evaluate_all("(imgs) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length")


def test_attach_by_button_with_progress_retry_and_the_viewer(people):
    bob, alice, conversation_id = open_both(people, BIKE)
    page = bob.page
    attach = page.get_by_role("button", name="Attach", exact=True)
    expect(attach).to_be_visible()

    # A first try that fails (the link drops) keeps the file: Retry sends it, nothing chosen again.
    page.route("**/api/v1/attachments", lambda route: route.abort())
    with page.expect_file_chooser() as chooser:
        attach.click()
    chooser.value.set_files([{"name": "scratch.jpg", "mimeType": "image/jpeg", "buffer": photo(900, 600, (180, 40, 40))}])
    failed = page.locator("#attach-tray .att-item[data-state=failed]")
    expect(failed).to_have_count(1)
    expect(failed.locator(".att-item-error")).to_contain_text("upload failed")
    page.unroute("**/api/v1/attachments")
    failed.get_by_role("button", name="Retry").click()
    tray_done(page, 1)

    # A second photo on a slowed link: its progress bar moves before it is done.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20, "downloadThroughput": -1,
                                                  "uploadThroughput": 256 * 1024})
    page.locator("#attach-input").set_input_files([{"name": "side.jpg", "mimeType": "image/jpeg",
                                                    "buffer": photo(1000, 700, (0, 0, 0), noise=True)}])
    bar = page.locator("#attach-tray .att-item[data-state=uploading] progress")
    page.wait_for_function("() => { const p = document.querySelector('#attach-tray .att-item[data-state=uploading] progress');"
                           " return p && p.value > 0 && p.value < 100; }", timeout=20_000)
    shot(page, "attachments-progress-desktop")
    expect(bar).to_have_count(0, timeout=30_000)
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    tray_done(page, 2)

    page.get_by_role("textbox", name="Message", exact=True).fill("The scratch, and the side")
    page.keyboard.press("Enter")
    expect(page.locator("#attach-tray")).to_be_hidden()

    # alice: the thumbnails arrive with the message.
    mine = last_message(alice.page)
    expect(mine.locator(".bubble")).to_have_text("The scratch, and the side")
    thumbs = mine.locator(".att-thumb img")
    expect(thumbs).to_have_count(2)
    alice.page.wait_for_function("(n) => [...document.querySelectorAll('#msg-list .msg[data-id]')].pop()"
                                 ".querySelectorAll('.att-thumb img').length === n && [...[...document.querySelectorAll("
                                 "'#msg-list .msg[data-id]')].pop().querySelectorAll('.att-thumb img')].every((i) => i.naturalWidth > 0)", arg=2)
    shot(alice.page, "attachments-bubble-desktop")

    # The viewer: open on the first, the arrow key to the second, Escape closes.
    mine.get_by_role("button", name="Open scratch.jpg").click()
    viewer = alice.page.get_by_role("dialog", name="Photo viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator(".att-viewer-count")).to_have_text("1 of 2")
    expect(viewer.locator("img")).to_have_attribute("alt", "scratch.jpg")
    alice.page.keyboard.press("ArrowRight")
    expect(viewer.locator(".att-viewer-count")).to_have_text("2 of 2")
    expect(viewer.locator("img")).to_have_attribute("src", re.compile(r"/api/v1/attachments/[0-9a-f-]+/large$"))
    alice.page.wait_for_function("() => document.querySelector('.att-viewer-img').naturalWidth > 0")
    shot(alice.page, "attachments-viewer-desktop")
    alice.page.keyboard.press("ArrowLeft")
    expect(viewer.locator(".att-viewer-count")).to_have_text("1 of 2")
    # A swipe to the left (a pointer dragged 200 px) shows the next photo, to the right the one before.
    for dx, expected in ((-200, "2 of 2"), (200, "1 of 2")):
        alice.page.mouse.move(640, 400)
        alice.page.mouse.down()
        alice.page.mouse.move(640 + dx, 400, steps=5)
        alice.page.mouse.up()
        expect(viewer.locator(".att-viewer-count")).to_have_text(expected)
    alice.page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()


DROP = """([name, b64, type, target, kind]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], name, { type }));
  const node = document.querySelector(target);
  if (kind === "paste") {
    node.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
    return;
  }
  for (const type of ["dragenter", "dragover", "drop"]) {
    node.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }
}"""


def drop(page, name, data, type, target="#chat-scroll", kind="drop"):
    page.evaluate(DROP, [name, base64.b64encode(data).decode(), type, target, kind])


def test_drag_and_drop_paste_a_pdf_and_the_inbox_preview(people):
    bob, alice, conversation_id = open_both(people, LAMP, PHONE)
    page = bob.page
    drop(page, "dropped.png", files.png(300, 200), "image/png")
    drop(page, "pasted.jpg", photo(400, 300, (30, 120, 200)), "image/jpeg", target="#composer-input", kind="paste")
    tray_done(page, 2)
    shot(page, "attachments-tray-phone")
    page.get_by_role("button", name="Send").click()  # no caption: photos alone
    mine = last_message(alice.page)
    expect(mine.locator(".att-thumb img")).to_have_count(2)
    expect(mine.locator(".bubble")).to_be_hidden()

    drop(page, "invoice.pdf", files.pdf(), "application/pdf")
    tray_done(page, 1)
    page.get_by_role("button", name="Send").click()
    card = last_message(alice.page).locator(".att-file")
    expect(card.locator(".att-file-name")).to_have_text("invoice.pdf")
    expect(card.locator(".att-file-size")).to_have_text(re.compile(r"^\d+ kB$"))
    download = card.get_by_role("link", name="Download invoice.pdf")
    expect(download).to_have_attribute("href", re.compile(r"/api/v1/attachments/[0-9a-f-]+/file$"))
    with alice.page.expect_download() as got:
        download.click()
    assert got.value.suggested_filename == "invoice.pdf"
    shot(alice.page, "attachments-pdf-phone")

    # An SVG is refused by the server, with its reason in the tray; nothing is sent.
    drop(page, "logo.svg", files.SVG_WITH_SCRIPT, "image/svg+xml")
    refused = page.locator("#attach-tray .att-item[data-state=failed]")
    expect(refused.locator(".att-item-error")).to_contain_text("Only photos")
    expect(refused.get_by_role("button", name="Retry")).to_be_hidden()
    refused.locator(".att-item-remove").click()

    # Another photo message without a caption: alice's inbox says "2 photos".
    drop(page, "a.jpg", photo(200, 200, (10, 10, 10)), "image/jpeg")
    drop(page, "b.jpg", photo(200, 200, (90, 90, 90)), "image/jpeg")
    tray_done(page, 2)
    page.get_by_role("button", name="Send").click()
    expect(last_message(alice.page).locator(".att-thumb img")).to_have_count(2)
    alice.page.goto("/messages/")
    row = alice.page.locator(f".inbox-row[href$='/{conversation_id}/']")
    expect(row.locator(".preview")).to_have_text("2 photos")
    shot(alice.page, "attachments-inbox-phone")


def test_a_voice_message_recorded_and_played_on_the_other_side(people):
    bob, alice, conversation_id = open_both(people, CAMERA)
    page = bob.page
    page.get_by_role("button", name="Record a voice message").click()
    stop = page.get_by_role("button", name="Stop recording")
    expect(stop).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#voice-status .voice-time")).to_have_text(re.compile(r"^0:0[2-9] / 2:00$"), timeout=10_000)
    shot(page, "attachments-recording-desktop")
    stop.click()
    tray_done(page, 1)
    page.get_by_role("button", name="Send").click()

    voice = last_message(alice.page).locator(".att-voice")
    expect(voice.locator("audio")).to_have_attribute("src", re.compile(r"/api/v1/attachments/[0-9a-f-]+/file$"))
    expect(voice.locator(".att-voice-time")).to_have_text(re.compile(r"^0:0[1-9]$"))
    voice.locator("audio").evaluate("(a) => a.play()")
    expect(voice).to_have_attribute("data-played", "1", timeout=15_000)
    shot(alice.page, "attachments-voice-desktop")


def test_the_french_page(people):
    bob, alice, conversation_id = open_both(people, BIKE, locale="fr-FR")
    page = bob.page
    expect(page.get_by_role("button", name="Joindre", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer un message vocal")).to_be_visible()
    drop(page, "vide.jpg", b"", "image/jpeg")
    expect(page.locator("#attach-tray .att-item-error")).to_have_text("Le fichier est vide.")
    shot(page, "attachments-french-desktop")

"""Redraw docs/screenshot.png: bob and alice chatting about the road bike, side by side.

Run from the repository root: `.venv/bin/python -m scripts.readme_screenshot` (needs Chromium).
It starts a demo server on a fresh SQLite database, so nothing of yours is touched.
"""

import tempfile
import uuid
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect, sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, User
from tests.support.live import LiveServer

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshot.png"
VIEWPORT = {"width": 1008, "height": 700}
LINES = [
    ("bob", "Hi Alice! Is the road bike still available?"),
    ("alice", "Hi Bob, yes it is. It was serviced last month: new tyres and bar tape."),
    ("bob", "Great. Could I come and see it on Saturday morning?"),
    ("alice", "Saturday at 10 works for me. See https://example.com/map for the address."),
]


def main() -> None:
    server = LiveServer(workdir=Path(tempfile.mkdtemp(prefix="parley-shot-"))).start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            bob, alice = (User(browser, server.base_url, name, VIEWPORT).login() for name in ("bob", "alice"))
            bob.page.get_by_role("link", name="Vintage road bike").first.click()
            bob.page.get_by_role("button", name="Contact seller").first.click()
            alice.page.goto(bob.page.url)
            people = {"bob": bob, "alice": alice}
            for name, text in LINES:
                composer = people[name].page.get_by_role("textbox", name="Message", exact=True)
                composer.fill(text)
                composer.press("Enter")
                for page in (bob.page, alice.page):
                    expect(page.get_by_text(text.split(" See ")[0]).last).to_be_visible()
            expect(bob.page.get_by_text("Seen")).to_be_visible()
            shots = []
            for page in (bob.page, alice.page):
                path = Path(tempfile.gettempdir()) / f"parley-{uuid.uuid4().hex}.png"
                page.screenshot(path=str(path))
                shots.append(Image.open(path))
            browser.close()
    finally:
        server.stop()
    gap = 12
    canvas = Image.new("RGB", (shots[0].width * 2 + gap, shots[0].height), (200, 208, 220))
    canvas.paste(shots[0], (0, 0))
    canvas.paste(shots[1], (shots[0].width + gap, 0))
    canvas.save(OUT, optimize=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

"""Every page of the site, in a browser context of a given size and colour scheme.

Shared by the accessibility and layout tests. A fresh account (so the live server's other
tests cannot change what it sees) has one conversation, with messages from both sides.
"""

import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, SHOTS

SIZES = {"desktop": DESKTOP, "phone": PHONE}
SCHEMES = ("light", "dark")
LAMP = "Brass desk lamp"  # alice's, in the demo data
PASSWORD = "a long and unusual passphrase 42"


@dataclass
class Site:
    base_url: str
    username: str
    cookies: list = field(default_factory=list)
    listing_url: str = ""
    conversation_url: str = ""
    last_text: str = ""


def _sign_up(live_server_proc, username: str):
    client = live_server_proc.client()
    client.get("/accounts/signup/")
    data = {"username": username, "email": f"{username}@example.com", "password1": PASSWORD, "password2": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"]}
    r = client.post("/accounts/signup/", data=data)
    assert r.status_code == 302, f"sign-up of {username} failed: {r.status_code}"
    client.headers["X-CSRFToken"] = client.cookies["csrftoken"]
    client.headers["Referer"] = live_server_proc.base_url + "/"
    return client


def _send(client, conversation_id: int, body: str) -> None:
    r = client.post(f"/api/v1/conversations/{conversation_id}/messages",
                    json={"body": body, "client_msg_id": str(uuid.uuid4())})
    assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def site(live_server_proc):
    """A new user who asked alice about her lamp, and her answer."""
    username = f"axe{uuid.uuid4().hex[:8]}"
    me = _sign_up(live_server_proc, username)
    alice = live_server_proc.login("alice")
    try:
        match = re.search(r'href="(/marketplace/(\d+)/)">' + re.escape(LAMP), me.get("/marketplace/").text)
        assert match, "the lamp listing is on the marketplace"
        created = me.post("/api/v1/conversations", json={"listing_id": int(match.group(2))})
        assert created.status_code in (200, 201), created.text
        conversation_id = created.json()["conversation"]["id"]
        _send(me, conversation_id, "Hello Alice! Is the lamp still available?")
        _send(me, conversation_id, "I could pick it up on Saturday morning, if that suits you.")
        last = f"Yes, it is. Saturday works: see you then. ({uuid.uuid4().hex[:6]})"
        _send(alice, conversation_id, last)
        cookies = [{"name": k, "value": v, "url": live_server_proc.base_url} for k, v in me.cookies.items()]
        yield Site(live_server_proc.base_url, username, cookies, match.group(1),
                   f"/messages/{conversation_id}/", last)
    finally:
        me.close()
        alice.close()


class Visit:
    """One browser context at one size and scheme, signed in as the site's user or not."""

    def __init__(self, browser, site: Site, size: str, scheme: str, signed_in: bool):
        self.context = browser.new_context(viewport=SIZES[size], color_scheme=scheme, base_url=site.base_url,
                                           locale="en-GB")
        self.context.set_default_timeout(10_000)
        if signed_in:
            self.context.add_cookies(site.cookies)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" and "Content Security" in m.text else None)

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"the page reported errors: {self.errors}"


def _ready_signed_in(page) -> None:
    expect(page.locator("#conn-status")).to_have_attribute("data-state", "connected")


# name -> (signed in?, url from the site, what shows the page is ready)
PAGES = {
    "marketplace": (True, lambda s: "/marketplace/", lambda p, s: expect(p.locator("h1")).to_have_text("Marketplace")),
    "listing": (True, lambda s: s.listing_url, lambda p, s: expect(p.locator("#contact-seller")).to_be_visible()),
    "login": (False, lambda s: "/accounts/login/", lambda p, s: expect(p.locator("#login-form")).to_be_visible()),
    "signup": (False, lambda s: "/accounts/signup/", lambda p, s: expect(p.locator("h1")).to_be_visible()),
    "inbox": (True, lambda s: "/messages/", lambda p, s: expect(p.locator("main")).to_contain_text(s.last_text)),
    "conversation": (True, lambda s: s.conversation_url, lambda p, s: expect(p.locator("main")).to_contain_text(s.last_text)),
    "settings": (True, lambda s: "/settings/", lambda p, s: expect(p.locator("#blocked-heading")).to_be_visible()),
    "404": (True, lambda s: "/no-such-page/", lambda p, s: expect(p.locator("#error-404")).to_be_visible()),
}


def open_page(browser, site: Site, name: str, size: str, scheme: str) -> Visit:
    """Open page `name` and wait until it has rendered what it shows."""
    signed_in, url, ready = PAGES[name]
    visit = Visit(browser, site, size, scheme, signed_in)
    visit.page.goto(url(site))
    ready(visit.page, site)
    if signed_in:
        _ready_signed_in(visit.page)
    # Web fonts and images settle before screenshots and contrast checks.
    visit.page.evaluate("document.fonts.ready.then(() => true)")
    return visit


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    path = SHOTS / "pages" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path

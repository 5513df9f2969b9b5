"""Playwright fixtures for the browser tests: one headless Chromium per module, one
browser context per user (two contexts chat as two people)."""

import re
from pathlib import Path

import pytest

from tests.support.services import chromium_missing, need

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "parley-demo"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
CONVERSATION_URL = re.compile(r".*/messages/(\d+)/$")


@pytest.fixture(scope="module")
def browser():
    need(chromium_missing())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000)
        try:
            yield chromium
        finally:
            chromium.close()


class User:
    """One person in their own browser context, with what their page did logged."""

    def __init__(self, browser, base_url: str, username: str, viewport: dict, locale: str = "en-GB"):
        self.base_url = base_url
        self.username = username
        self.context = browser.new_context(viewport=viewport, base_url=base_url, locale=locale)
        self.context.set_default_timeout(10_000)
        self.context.set_default_navigation_timeout(15_000)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", self._on_dialog)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "console",
            lambda msg: self.errors.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None,
        )

    def _on_dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def login(self) -> "User":
        self.page.goto("/accounts/login/")
        self.page.fill("#id_username", self.username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/marketplace/$"))
        return self

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(browser, live_server_proc, require_chromium):
    """people("bob") -> a logged-in User; contexts are closed after the test.

    `locale="fr-FR"` gives a French browser (its Accept-Language picks the site's language).
    """
    made: list[User] = []

    def make(username: str | None, viewport: dict = DESKTOP, locale: str = "en-GB") -> User:
        user = User(browser, live_server_proc.base_url, username or "anonymous", viewport, locale)
        made.append(user)
        return user.login() if username else user

    yield make
    for user in made:
        user.close()
    for user in made:
        assert not user.errors, f"{user.username}'s page reported errors: {user.errors}"


def shot(page, name: str, *, full_page: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)

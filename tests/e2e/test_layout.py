"""Layout in Chromium: dark mode, the connection indicator, and the phone layout (two-column
grid, the Contact seller bar that never hides the page's end)."""

import re

import pytest
from playwright.sync_api import expect

from .pages import SCHEMES, SIZES, Visit, open_page, screenshot, site  # noqa: F401  (site is a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("require_chromium")]

BANNER_STATES = ("reconnecting", "offline", "signed_out")


def luminance(page, selector: str) -> float:
    """Relative luminance (0 black .. 1 white) of an element's computed background colour."""
    rgb = page.locator(selector).evaluate("el => getComputedStyle(el).backgroundColor")
    r, g, b = (int(c) / 255 for c in re.findall(r"[\d.]+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found, f"{locator} has no box (not rendered)"
    return found


# ---------- Dark mode ----------

@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_color_mode_follows_the_system_setting(browser, site, scheme):  # noqa: F811
    for name in ("marketplace", "login"):
        visit = open_page(browser, site, name, "desktop", scheme)
        try:
            page = visit.page
            expect(page.locator("html")).to_have_attribute("data-bs-theme", scheme)
            expect(page.locator('meta[name="color-scheme"]')).to_have_attribute("content", "light dark")
            page_bg, surface_bg = luminance(page, "body"), luminance(page, ".surface, .listing-card >> nth=0")
            if scheme == "dark":
                assert page_bg < 0.02 and surface_bg < 0.05, (page_bg, surface_bg)
            else:
                assert page_bg > 0.85 and surface_bg > 0.95, (page_bg, surface_bg)
        finally:
            visit.close()


def test_the_color_mode_changes_with_the_system_without_a_reload(browser, site):  # noqa: F811
    visit = open_page(browser, site, "marketplace", "phone", "light")
    try:
        page = visit.page
        page.evaluate("window.__same_document = true")
        page.emulate_media(color_scheme="dark")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
        assert luminance(page, "body") < 0.02
        assert page.evaluate("window.__same_document === true")
    finally:
        visit.close()


def test_the_theme_is_set_before_first_paint(browser, site):  # noqa: F811
    """A render-blocking classic script in <head>, before the style sheets: no white flash."""
    visit = open_page(browser, site, "login", "desktop", "dark")
    try:
        script = visit.page.locator('head script[src$="/parley/js/theme.js"]')
        expect(script).to_have_count(1)
        assert script.evaluate("s => !s.defer && !s.async && !s.type")
        assert visit.page.evaluate("""() => {
            const nodes = [...document.head.querySelectorAll('script, link[rel=stylesheet]')];
            return nodes.findIndex(n => n.src && n.src.endsWith('theme.js')) < nodes.findIndex(n => n.rel === 'stylesheet');
        }""")
    finally:
        visit.close()


# ---------- The connection indicator ----------

@pytest.mark.parametrize("size", SIZES)
def test_connection_indicator_is_quiet_while_connected(browser, site, size):  # noqa: F811
    visit = open_page(browser, site, "marketplace", size, "light")
    try:
        status = visit.page.locator("#conn-status")
        expect(status).to_have_attribute("role", "status")
        expect(status.locator(".conn-label")).to_have_text("Connected")  # still read out
        assert box(status.locator(".conn-label"))["width"] <= 1, "the label is not shown while connected"
        assert box(status)["width"] <= 40
    finally:
        visit.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
def test_connection_banner_shows_when_the_network_goes(browser, site, size, scheme):  # noqa: F811
    visit = open_page(browser, site, "marketplace", size, scheme)
    try:
        page = visit.page
        status = page.locator("#conn-status")
        visit.context.set_offline(True)
        expect(status).to_have_attribute("data-state", re.compile("^(reconnecting|offline)$"))
        label = status.locator(".conn-label")
        expect(label).to_have_text(re.compile(r"\w"))
        label_box, banner, brand = box(label), box(status), box(page.locator(".parley-brand"))
        assert label_box["width"] > 30, "the banner shows its label, on phones too"
        assert banner["y"] >= brand["y"] + brand["height"], "the banner has a row of its own"
        assert banner["width"] > SIZES[size]["width"] * 0.8
        assert box(page.locator("h1"))["y"] >= banner["y"] + banner["height"], "it does not cover the page"
        screenshot(page, f"conn-banner-{size}-{scheme}")
        visit.context.set_offline(False)
        expect(status).to_have_attribute("data-state", "connected", timeout=15_000)
        expect(label).to_have_text("Connected")
        assert box(label)["width"] <= 1
    finally:
        visit.close()


@pytest.mark.parametrize("state", BANNER_STATES)
def test_every_trouble_state_is_a_banner_on_a_phone_chat(browser, site, state):  # noqa: F811
    """The chat page is one screen high: the banner pushes it down, the composer stays on screen."""
    visit = open_page(browser, site, "conversation", "phone", "light")
    try:
        page = visit.page
        page.locator("#conn-status").evaluate("(el, s) => { el.dataset.state = s; el.querySelector('.conn-label').textContent = s; }", state)
        assert box(page.locator("#conn-status .conn-label"))["width"] > 20
        composer = page.get_by_role("textbox", name="Message", exact=True)
        expect(composer).to_be_in_viewport(ratio=1)
        bottom = box(page.locator("main"))
        assert bottom["y"] + bottom["height"] <= page.viewport_size["height"] + 1
        banner, header = box(page.locator("#conn-status")), box(page.locator(".chat-header"))
        assert banner["y"] + banner["height"] <= header["y"] + 1, "the banner covers the conversation header"
        expect(page.get_by_role("heading", level=1)).to_be_in_viewport(ratio=1)
        if state == "offline":
            screenshot(page, "conn-banner-conversation-phone")
    finally:
        visit.close()


def test_phone_inbox_icon_is_named_with_its_visible_count(browser, site):  # noqa: F811
    visit = open_page(browser, site, "marketplace", "phone", "light")
    try:
        page = visit.page
        icon = page.locator("a.nav-icon-link")
        badge = icon.locator("[data-unread-badge]")
        badge.evaluate("b => { b.textContent = '3'; b.hidden = false; }")  # as app.js does on news
        expect(page.get_by_role("link", name="Messages 3 unread", exact=True)).to_be_visible()
        badge.evaluate("b => { b.hidden = true; }")
        expect(page.get_by_role("link", name="Messages", exact=True)).to_be_visible()
    finally:
        visit.close()


# ---------- Phone layout ----------

def test_marketplace_grid_has_two_columns_on_a_phone_and_three_on_desktop(browser, site):  # noqa: F811
    for size, columns in (("phone", 2), ("desktop", 3)):
        visit = open_page(browser, site, "marketplace", size, "light")
        try:
            cards = [box(visit.page.locator(".listing-card").nth(i)) for i in range(columns + 1)]
            first_row, next_row = cards[:columns], cards[columns]
            assert len({round(c["y"]) for c in first_row}) == 1, f"{size}: {columns} cards share the first row"
            assert sorted(c["x"] for c in first_row) == [c["x"] for c in first_row]
            assert next_row["y"] > first_row[0]["y"] + first_row[0]["height"] - 1, f"{size}: card {columns + 1} starts a new row"
            assert first_row[-1]["x"] + first_row[-1]["width"] <= SIZES[size]["width"], "no sideways scrolling"
        finally:
            visit.close()


@pytest.mark.parametrize("signed_in", (True, False), ids=("signed-in", "anonymous"))
def test_contact_seller_bar_sticks_to_the_bottom_on_a_phone(browser, site, signed_in):  # noqa: F811
    visit = Visit(browser, site, "phone", "light", signed_in)
    try:
        page = visit.page
        page.goto(site.listing_url)
        button, height = page.locator("#contact-seller"), page.viewport_size["height"]
        expect(button).to_be_in_viewport(ratio=1)
        bar = box(page.locator(".contact-bar"))
        assert bar["y"] + bar["height"] == pytest.approx(height, abs=1), "the bar is at the bottom of the screen"
        # At the end of the page it is still there, and the page's last lines are above it.
        # "instant": Bootstrap makes scrolling smooth, so a plain scrollTo would still be moving.
        page.evaluate("window.scrollTo({top: document.documentElement.scrollHeight, behavior: 'instant'})")
        assert page.evaluate("Math.ceil(scrollY + innerHeight) >= document.documentElement.scrollHeight")
        expect(button).to_be_in_viewport(ratio=1)
        bar = box(page.locator(".contact-bar"))
        for last in (".listing-info > :not(.contact-bar)", ".site-footer .container"):
            end = box(page.locator(last).last)
            assert end["y"] + end["height"] <= bar["y"], f"{last} ends behind the Contact seller bar"
        screenshot(page, f"listing-phone-bottom-{'signed-in' if signed_in else 'anonymous'}")
        button.click()
        expected = r".*/messages/\d+/$" if signed_in else r".*/accounts/login/\?next=.*"
        page.wait_for_url(re.compile(expected))
    finally:
        visit.close()


def test_contact_seller_stays_in_the_listing_card_on_desktop(browser, site):  # noqa: F811
    visit = open_page(browser, site, "listing", "desktop", "light")
    try:
        page = visit.page
        card, button = box(page.locator(".listing-info")), box(page.locator("#contact-seller"))
        assert card["x"] < button["x"] and button["x"] + button["width"] < card["x"] + card["width"]
        assert card["y"] < button["y"] and button["y"] + button["height"] < card["y"] + card["height"]
        assert page.locator(".contact-bar").evaluate("el => getComputedStyle(el).position") == "static"
    finally:
        visit.close()

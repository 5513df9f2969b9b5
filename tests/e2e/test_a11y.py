"""axe-core on every page, at desktop and phone sizes, in light and dark: no serious or critical
violations. Each run also saves a screenshot of the page to test-output/screenshots/pages/.

axe-core comes from the axe-playwright-python package (its bundled axe.min.js), not a CDN.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .pages import PAGES, SCHEMES, SIZES, open_page, screenshot, site  # noqa: F401  (site is a fixture)

pytestmark = pytest.mark.e2e

BLOCKING = {"serious", "critical"}
# Moderate in axe, but issue 10 asks for it: every page has a level-one heading.
ALSO_BLOCKING = {"page-has-heading-one"}

# Rules that fail only because of markup owned by the `client` branch (conversation templates
# and the JS that renders into them), which that branch is rewriting. Remove an entry once the
# client branch is merged: the test then holds those pages to every rule.
_axe = Axe()
# label-content-name-mismatch is "experimental" in axe, so off unless asked for; it caught the
# phone inbox icon whose name ("Messages") did not contain its visible count.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"label-content-name-mismatch": {"enabled": True}}}


def blocking_violations(page, name: str) -> list[dict]:
    results = _axe.run(page, options=AXE_OPTIONS).response
    return [v for v in results["violations"] if v["impact"] in BLOCKING or v["id"] in ALSO_BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:4]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_axe_violations(browser, site, require_chromium, name, size, scheme):  # noqa: F811
    visit = open_page(browser, site, name, size, scheme)
    try:
        screenshot(visit.page, f"{name}-{size}-{scheme}")
        if name in ("marketplace", "listing", "signup"):
            screenshot(visit.page, f"{name}-{size}-{scheme}-full", full_page=True)
        found = blocking_violations(visit.page, name)
        assert not found, f"axe on {name} ({size}, {scheme}):\n{describe(found)}"
    finally:
        visit.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_serious_axe_violations_with_the_phone_menus_open(browser, site, require_chromium, scheme):  # noqa: F811
    """The collapsed navbar and its dropdowns are checked open too: hidden, axe skips them."""
    visit = open_page(browser, site, "marketplace", "phone", scheme)
    try:
        page = visit.page
        page.get_by_role("button", name="Toggle navigation").click()
        # Wait for the slide-down to end before opening the user menu: a click while it
        # still runs can land on a moving target and leave the menu shut.
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
        page.locator("#user-menu").click()
        expect(page.locator("#logout-button")).to_be_visible()
        screenshot(page, f"menu-phone-{scheme}")
        found = blocking_violations(page, "marketplace")
        assert not found, f"axe with the menus open ({scheme}):\n{describe(found)}"
    finally:
        visit.close()

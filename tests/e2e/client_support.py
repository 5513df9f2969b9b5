"""Helpers for the client's browser tests: seeding data into the live server's database, and
people on touch phones."""

import json
import re
import subprocess
import sys
import textwrap
import uuid

from playwright.sync_api import expect

from .conftest import CONVERSATION_URL, PASSWORD, PHONE, User


def token(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:8]}"


def connected(user, timeout=10_000):
    expect(user.page.locator("#conn-status")).to_have_attribute("data-state", "connected", timeout=timeout)


def composer(page):
    return page.get_by_role("textbox", name="Message", exact=True)


def contact_seller(user, title: str) -> int:
    page = user.page
    page.goto("/marketplace/")
    page.get_by_role("link", name=title, exact=True).click()
    page.locator("#contact-seller").click()
    page.wait_for_url(CONVERSATION_URL)
    connected(user)
    return int(CONVERSATION_URL.match(page.url).group(1))


def stored(page) -> dict:
    """This origin's localStorage entries that Parley keeps."""
    return page.evaluate(
        "() => Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith('parley:')).map(k => [k, localStorage.getItem(k)]))"
    )


def outbox(page) -> list:
    uid = page.evaluate("document.body.dataset.userId")
    return json.loads(page.evaluate(f"localStorage.getItem('parley:{uid}:outbox') || '[]'"))


def server_bodies(live_server_proc, username: str, conversation_id: int) -> list[str]:
    api = live_server_proc.login(username)
    try:
        found = api.get(f"/api/v1/conversations/{conversation_id}/messages", params={"limit": 100}).json()["messages"]
    finally:
        api.close()
    return [m["body"] for m in found]


def seed(live_server_proc, code: str) -> str:
    """Run Django code against the live server's database (another process); return its stdout."""
    script = "import django; django.setup()\n" + textwrap.dedent(code)
    result = subprocess.run(
        [sys.executable, "-c", script], env=live_server_proc.env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def seller_with_inbox(live_server_proc, rows: int) -> str:
    """A new seller whose inbox holds `rows` conversations, each with one message; return the username."""
    name = f"sam{uuid.uuid4().hex[:6]}"
    seed(
        live_server_proc,
        f"""
        import uuid
        from django.contrib.auth import get_user_model
        from parley.conversations import services
        from parley.marketplace.models import Listing
        User = get_user_model()
        seller = User.objects.create_user(username={name!r}, password={PASSWORD!r}, first_name="Sam", last_name="Seller")
        buyers = [User(username=f"{name}b{{i}}", first_name=f"Buyer{{i}}", last_name="Test") for i in range({rows})]
        for b in buyers:
            b.set_unusable_password()
        User.objects.bulk_create(buyers)
        for i, buyer in enumerate(User.objects.filter(username__startswith="{name}b").order_by("id")):
            listing = Listing.objects.create(seller=seller, title=f"Item {{i}} of {name}", price="5.00", currency="EUR")
            conv, _ = services.conversation_start(buyer=buyer, listing=listing)
            services.message_send(sender=buyer, conversation=conv, body=f"Question {{i}}", client_msg_id=uuid.uuid4())
        """,
    )
    return name


def touch_person(browser, live_server_proc, username: str) -> User:
    """A logged-in person on a touch phone (pointer: coarse)."""
    user = User.__new__(User)
    user.base_url, user.username = live_server_proc.base_url, username
    user.context = browser.new_context(
        viewport=PHONE, base_url=live_server_proc.base_url, locale="en-GB", has_touch=True, is_mobile=True
    )
    user.context.set_default_timeout(10_000)
    user.page = user.context.new_page()
    user.dialogs, user.errors = [], []
    user.page.on("dialog", user._on_dialog)
    user.page.on("pageerror", lambda exc: user.errors.append(str(exc)))
    user.page.goto("/accounts/login/")
    user.page.fill("#id_username", username)
    user.page.fill("#id_password", PASSWORD)
    user.page.click("#login-form button[type=submit]")
    user.page.wait_for_url(re.compile(r".*/marketplace/$"))
    return user

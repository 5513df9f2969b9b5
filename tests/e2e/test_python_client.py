"""Issue 17: the Python client (parley.client) on one server process and a browser user on
another, through PostgreSQL and Redis: it logs in with a token, opens the conversation, sends,
and hears the browser user's message live; the browser sees the client's live too."""

import asyncio
import threading
import uuid

import pytest
from playwright.sync_api import expect

from parley.client import Client
from tests.faults.conftest import pg_database, private_redis, two_servers  # noqa: F401 (fixtures)

from .conftest import DESKTOP, PASSWORD, User

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(240)]


class Loop:
    """An asyncio loop in a thread of its own: Playwright's sync API holds the main thread's."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run_until_complete(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def create_task(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def test_python_client_and_browser_user_on_two_processes(two_servers, browser, require_chromium):
    a, b = two_servers
    loop = Loop()
    bob = loop.run_until_complete(Client.login(a.base_url, "bob", PASSWORD, device_name="e2e bot"))
    alice = User(browser, b.base_url, "alice", DESKTOP).login()
    try:
        async def open_conversation():
            for listing_id in range(1, 30):
                try:
                    conversation = await bob.start(listing_id=listing_id)
                except Exception:
                    continue
                if conversation["other"]["username"] == "alice":
                    return conversation["id"]
            raise AssertionError("no listing of alice's")

        conv = loop.run_until_complete(open_conversation())
        head = loop.run_until_complete(bob.me())["cursor"]
        hello = f"Hello from Python {uuid.uuid4().hex[:6]}"
        loop.run_until_complete(bob.send(conv, hello))

        # Alice, in her browser on the other process, sees it and answers.
        alice.page.goto(f"/messages/{conv}/")
        expect(alice.page.locator("#conn-status")).to_have_attribute("data-state", "connected", timeout=10_000)
        expect(alice.page.locator(".msg .bubble", has_text=hello)).to_have_count(1)
        events = bob.events(since=head)

        async def first_message_from_alice():
            async for event in events:
                if event["event"] == "message.created" and event["data"]["message"]["body"].startswith("Hi Python"):
                    return event
            raise AssertionError("the stream ended")

        waiting = loop.create_task(first_message_from_alice())
        loop.run_until_complete(asyncio.sleep(0.5))  # the client's socket opens and catches up
        answer = f"Hi Python {uuid.uuid4().hex[:6]}"
        alice.page.get_by_role("textbox", name="Message", exact=True).fill(answer)
        alice.page.get_by_role("button", name="Send", exact=True).click()
        got = waiting.result(20)
        assert got["data"]["message"]["body"] == answer

        # And the client's next message appears live in her page.
        again = f"Thanks {uuid.uuid4().hex[:6]}"
        loop.run_until_complete(bob.send(conv, again))
        expect(alice.page.locator(".msg .bubble", has_text=again)).to_have_count(1)
        loop.run_until_complete(events.aclose())
    finally:
        alice.close()
        loop.run_until_complete(bob.close())
        loop.close()

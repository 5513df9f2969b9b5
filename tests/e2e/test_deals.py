"""Deals in Chromium: bob and carol both enquire about alice's bike and make offers; alice
accepts bob's; carol's thread shows the item reserved and her offer declined, live, without
a reload. Two contexts: a price drop and a counter reach the buyer live; the inbox row and the
listing page follow the status. French once.

The live server is shared with other modules: the test puts the bike back to Available.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, shot
from .test_a11y import blocking_violations, describe
from .test_chat import BIKE, connected, contact_seller

pytestmark = pytest.mark.e2e


def open_thread(user, conversation_id: int):
    user.page.goto(f"/messages/{conversation_id}/")
    connected(user)
    expect(user.page.locator("#deal-bar")).to_be_visible()


def make_available(alice):
    """Put the bike back to Available if an earlier run left it otherwise (the server is shared)."""
    page = alice.page
    if page.locator("#deal-bar").get_attribute("data-status") != "available":
        page.locator("#deal-status-available").click()
        expect(page.locator("#deal-bar")).to_have_attribute("data-status", "available")


def offer(user, amount: str):
    page = user.page
    page.get_by_role("button", name="Make an offer").click()
    page.locator("#deal-offer-amount").fill(amount)
    page.get_by_role("button", name="Send offer").click()


def say(user, text: str):
    page = user.page
    page.get_by_role("textbox", name="Message", exact=True).fill(text)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".msg.mine .bubble", has_text=text)).to_be_visible()


def test_alice_accepts_bobs_offer_and_carol_sees_the_bike_reserved_live(people):
    bob, carol, alice = people("bob"), people("carol"), people("alice")
    bob_conv = contact_seller(bob, BIKE)
    carol_conv = contact_seller(carol, BIKE)
    open_thread(alice, bob_conv)
    make_available(alice)
    say(bob, "Hello, is the bike still for sale?")  # bob and carol are on their threads already
    say(carol, "Hi! Would you take an offer?")

    offer(bob, "300")
    bob_card = bob.page.locator(".offer-card").last
    expect(bob_card).to_contain_text("You offered 300 EUR")
    expect(bob_card).to_contain_text("Waiting for Alice Martin")
    offer(carol, "310")
    carol_card = carol.page.locator(".offer-card").last
    expect(carol_card).to_contain_text("Pending")

    # Alice sees bob's offer arrive live in his thread, with Accept / Decline / Counter.
    alice_card = alice.page.locator(".offer-card").last
    expect(alice_card).to_contain_text("Bob Dupont offered 300 EUR")
    expect(alice_card).to_contain_text("Waiting for your answer")
    shot(alice.page, "deals-alice-offer-desktop")
    alice_card.get_by_role("button", name="Accept").click()

    expect(alice_card).to_contain_text("Accepted")
    expect(bob_card).to_contain_text("Accepted")
    # Carol's thread, untouched since it loaded: reserved in the header, her offer declined, a line.
    carol_page = carol.page
    expect(carol_page.locator("#chat-listing .status-badge")).to_have_text("Reserved")
    expect(carol_card).to_contain_text("Declined")
    expect(carol_card).to_contain_text("the item was reserved for another buyer")
    expect(carol_card.get_by_role("button", name="Withdraw")).to_have_count(0)
    expect(carol_page.locator(".deal-line").last).to_contain_text("Alice Martin marked this item as reserved")
    expect(carol_page.get_by_role("button", name="Make an offer")).to_be_disabled()
    shot(carol_page, "deals-carol-reserved-desktop")
    found = blocking_violations(carol_page, "a thread with a declined offer and a system line")
    assert not found, describe(found)
    shot(bob.page, "deals-bob-accepted-desktop")

    # A reload keeps it all (the history is rebuilt from the server).
    carol_page.reload()
    connected(carol)
    expect(carol_page.locator(".offer-card").last).to_contain_text("Declined")
    expect(carol_page.locator(".deal-line").last).to_contain_text("marked this item as reserved")

    # Alice makes it available again: both buyers see it at once.
    alice.page.locator("#deal-status-available").click()
    expect(carol_page.locator("#chat-listing .status-badge")).to_have_text("Available")
    expect(bob.page.locator("#chat-listing .status-badge")).to_have_text("Available")
    assert not alice.errors and not bob.errors and not carol.errors


def test_price_drop_counter_and_the_inbox_live_on_a_phone(people):
    bob, alice = people("bob", PHONE), people("alice")
    bob_conv = contact_seller(bob, BIKE)
    open_thread(alice, bob_conv)
    make_available(alice)
    open_thread(bob, bob_conv)
    offer(bob, "250")
    alice_card = alice.page.locator(".offer-card").last
    expect(alice_card).to_contain_text("250 EUR")
    alice_card.get_by_role("button", name="Counter").click()
    alice_card.locator(".offer-counter-amount").fill("320")
    alice_card.get_by_role("button", name="Send counter").click()
    bob_card = bob.page.locator(".offer-card").last
    expect(bob_card).to_contain_text("Counter-offer: 320 EUR")
    expect(bob_card).to_contain_text("Waiting for your answer")
    bob_card.get_by_role("button", name="Withdraw").click()
    expect(alice_card).to_contain_text("Withdrawn")

    # The price drops from the header: a system line in bob's thread, live.
    alice.page.get_by_role("button", name="Change price").click()
    alice.page.locator("#deal-price-amount").fill("300")
    alice.page.get_by_role("button", name="Save price").click()
    expect(bob.page.locator(".deal-line").last).to_contain_text(re.compile(r"Price dropped from 3\d\d(\.\d+)? EUR to 300 EUR"))
    shot(bob.page, "deals-bob-price-phone")
    found = blocking_violations(bob.page, "a thread with a withdrawn counter-offer, on a phone")
    assert not found, describe(found)
    # On a phone the header hides its badge: the deal bar shows the status, live.
    alice.page.locator("#deal-status-reserved").click()
    expect(bob.page.locator("#deal-bar-status")).to_have_text("Reserved")
    expect(bob.page.locator("#deal-bar-status")).to_be_visible()
    expect(bob.page.get_by_role("button", name="Make an offer")).to_be_disabled()

    # Bob's inbox row and the listing page follow the status.
    bob.page.goto("/messages/")
    connected(bob)
    alice.page.locator("#deal-status-sold").click()
    row = bob.page.locator(f'li[data-conversation-id="{bob_conv}"]')
    expect(row.locator(".status-badge")).to_have_text("Sold")
    bob.page.goto("/marketplace/")
    bob.page.get_by_role("link", name=BIKE, exact=True).click()
    connected(bob)
    expect(bob.page.locator("#listing-status")).to_have_text("Sold")
    alice.page.locator("#deal-status-available").click()
    expect(bob.page.locator("#listing-status")).to_have_text("Available")
    alice.page.get_by_role("button", name="Change price").click()
    alice.page.locator("#deal-price-amount").fill("350")
    alice.page.get_by_role("button", name="Save price").click()
    expect(alice.page.locator("#chat-listing .price")).to_have_text("350 EUR")


def test_meetup_in_french_accept_ics_and_im_here(people):
    bob, alice = people("bob", DESKTOP, locale="fr-FR"), people("alice", DESKTOP, locale="fr-FR")
    bob_conv = contact_seller(bob, BIKE)
    open_thread(alice, bob_conv)
    open_thread(bob, bob_conv)
    page = bob.page
    page.get_by_role("button", name="Proposer un rendez-vous").click()
    # In two hours, local time of the browser: "I'm here" is offered on the day.
    page.evaluate("""() => { const d = new Date(Date.now() + 2 * 3600e3); d.setSeconds(0, 0);
        const pad = (n) => String(n).padStart(2, '0');
        document.getElementById('deal-meetup-at').value = `${d.getFullYear()}-${pad(d.getMonth()+1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`; }""")
    page.locator("#deal-meetup-safe").select_option(index=1)
    page.get_by_role("button", name="Proposer", exact=True).click()
    alice_card = alice.page.locator(".meetup-card").last
    expect(alice_card).to_contain_text("Proposé par Bob Dupont")
    alice_card.get_by_role("button", name="Accepter").click()
    bob_card = page.locator(".meetup-card").last
    expect(bob_card).to_contain_text("Accepté")
    ics = bob_card.get_by_role("link", name=re.compile("calendrier"))
    expect(ics).to_have_attribute("href", re.compile(r"/deals/meetups/\d+\.ics$"))
    expect(bob_card.get_by_role("link", name="Carte")).to_have_attribute("href", re.compile(r"^https://www\.openstreetmap\.org/search\?query="))
    bob_card.get_by_role("button", name="Je suis là").click()
    expect(alice_card).to_contain_text("Bob Dupont est là")
    shot(alice.page, "deals-meetup-fr-desktop")
    found = blocking_violations(alice.page, "an accepted meet-up, in French")
    assert not found, describe(found)

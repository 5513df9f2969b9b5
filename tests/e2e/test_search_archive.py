"""Find and organise (issue 14) in Chromium: search as you type with the words highlighted,
open a result at its message, Archive and Unarchive from the row's menu and the conversation's
menu with the row coming back live on a new message, the filter chips and their live counts,
the filter by item, the inbox paged past its first page, and the marketplace's search and
price filter. English on a desktop; French on a phone."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from .client_support import connected, seed, seller_with_inbox
from .conftest import DESKTOP, PASSWORD, PHONE, shot
from .test_report import person

pytestmark = pytest.mark.e2e

TEXTS = {
    "en": {"search": "Search messages", "archive": "Archive", "unarchive": "Unarchive", "row_menu": "Conversation actions",
           "conv_menu": "Conversation menu", "all": "All", "unread": "Unread", "buying": "Buying", "selling": "Selling",
           "archived": "Archived"},
    "fr": {"search": "Rechercher dans les messages", "archive": "Archiver", "unarchive": "Désarchiver",
           "row_menu": "Actions sur la conversation", "conv_menu": "Menu de la conversation", "all": "Toutes",
           "unread": "Non lues", "buying": "Achat", "selling": "Vente", "archived": "Archivées"},
}


def world(live_server_proc) -> dict:
    """A seller with three buyers (one wrote about a "vélo rouge") and one purchase of her own."""
    tag = uuid.uuid4().hex[:6]
    out = seed(live_server_proc, f"""
        import uuid, json
        from django.contrib.auth import get_user_model
        from parley.conversations import services
        from parley.marketplace.models import Listing
        User = get_user_model()
        def person(name, first):
            return User.objects.create_user(username=name, password={PASSWORD!r}, first_name=first, last_name="Test")
        sara = person("sara{tag}", "Sara")
        buyers = [person(f"b{{i}}{tag}", first) for i, first in enumerate(["Bruno", "Chloe", "Dina"])]
        other = person("o{tag}", "Olga")
        bike = Listing.objects.create(seller=sara, title="Road bike {tag}", price="300.00", currency="EUR")
        lamp = Listing.objects.create(seller=sara, title="Desk lamp {tag}", price="20.00", currency="EUR")
        mine = Listing.objects.create(seller=other, title="Armchair {tag}", price="80.00", currency="EUR")
        ids = {{}}
        def say(conv, who, body):
            services.message_send(sender=who, conversation=conv, body=body, client_msg_id=uuid.uuid4())
        c0, _ = services.conversation_start(buyer=buyers[0], listing=bike)
        say(c0, buyers[0], "Bonjour, le vélo rouge est-il toujours disponible ?")
        say(c0, sara, "Oui ! Il est là.")
        for i in range(12):
            say(c0, buyers[0], f"filler {{i}}")
        c1, _ = services.conversation_start(buyer=buyers[1], listing=lamp)
        say(c1, buyers[1], "Is the lamp dimmable?")
        c2, _ = services.conversation_start(buyer=buyers[2], listing=lamp)
        say(c2, buyers[2], "Does the lamp come with a bulb?")
        c3, _ = services.conversation_start(buyer=sara, listing=mine)
        say(c3, sara, "Is the armchair still there?")
        say(c3, other, "Yes")
        print(json.dumps({{"sara": sara.username, "buyers": [b.username for b in buyers], "other": other.username,
                           "convs": [c0.pk, c1.pk, c2.pk, c3.pk], "lamp": lamp.pk}}))
    """)
    import json

    return json.loads(out.strip().splitlines()[-1])


def api_send(live_server_proc, username: str, conversation_id: int, body: str) -> None:
    api = live_server_proc.login(username)
    try:
        r = api.post(f"/api/v1/conversations/{conversation_id}/messages", json={"body": body, "client_msg_id": str(uuid.uuid4())})
        assert r.status_code == 201, r.text
    finally:
        api.close()


def row(page, conversation_id: int):
    return page.locator(f"#inbox-list > li[data-conversation-id='{conversation_id}']")


def chip(page, words, key):
    return page.get_by_role("button", name=words[key])


def count(page, key):
    return page.locator(f"[data-count='{key}']")


@pytest.mark.parametrize(("lang", "size"), [("en", "desktop"), ("fr", "phone")])
def test_search_open_archive_and_filters(people, live_server_proc, lang, size):
    words = TEXTS[lang]
    w = world(live_server_proc)
    c0, c1, c2, c3 = w["convs"]
    sara = person(people, w["sara"], lang, DESKTOP if size == "desktop" else PHONE)
    page = sara.page
    page.goto("/messages/")
    connected(sara)
    expect(count(page, "all")).to_have_text("4")

    # Search as you type: accents folded, the words highlighted, the time shown.
    box = page.get_by_role("searchbox", name=words["search"])
    box.press_sequentially("velo ro", delay=40)
    hit = page.locator("#search-hits .search-hit")
    expect(hit).to_have_count(1)
    expect(hit.locator("mark")).to_have_text(["vélo", "rouge"])
    expect(hit.locator("time")).to_be_visible()
    shot(page, f"search-results-{lang}-{size}")
    # Bad input: a clear message, not a failure.
    box.fill('velo "rouge"')
    expect(page.locator("#search-status")).to_be_visible()
    expect(page.locator("#search-hits .search-hit")).to_have_count(0)
    box.fill("")
    expect(page.locator("#inbox")).to_be_visible()

    # Open a result: the conversation at that message, outlined, with the words marked.
    box.fill("velo")
    page.locator("#search-hits .search-hit").first.click()
    page.wait_for_url(f"**/messages/{c0}/?around=1*")
    connected(sara)
    target = page.locator(".msg.search-hit-here")
    expect(target).to_have_count(1)
    expect(target.locator("mark.search-mark")).to_have_text(["vélo"])
    expect(target).to_be_in_viewport()
    shot(page, f"search-opened-{lang}-{size}")

    # Archive from the conversation's menu: back to the inbox, without that row.
    page.get_by_role("button", name=words["conv_menu"]).click()
    page.get_by_role("button", name=words["archive"], exact=True).click()
    page.wait_for_url("**/messages/")
    connected(sara)
    expect(row(page, c1)).to_be_visible()
    expect(row(page, c0)).to_have_count(0)
    expect(count(page, "archived")).to_have_text("1")
    expect(count(page, "all")).to_have_text("3")

    # A second tab agrees live; Archive from a row's menu in the first.
    other_tab = sara.context.new_page()
    other_tab.goto("/messages/")
    expect(row(other_tab, c1)).to_be_visible()
    row(page, c1).get_by_role("button", name=words["row_menu"]).click()
    row(page, c1).get_by_role("button", name=words["archive"], exact=True).click()
    expect(row(page, c1)).to_have_count(0)
    expect(row(other_tab, c1)).to_have_count(0)
    expect(count(other_tab, "archived")).to_have_text("2")
    shot(page, f"inbox-archived-one-{lang}-{size}")

    # A new message brings an archived conversation back by itself, in both tabs.
    api_send(live_server_proc, w["buyers"][1], c1, "Hello again about the lamp")
    expect(row(page, c1)).to_be_visible()
    expect(row(other_tab, c1)).to_be_visible()
    expect(count(page, "archived")).to_have_text("1")
    expect(count(other_tab, "all")).to_have_text("3")

    # The Archived chip lists the rest; Unarchive returns it.
    chip(page, words, "archived").click()
    expect(row(page, c0)).to_be_visible()
    expect(page.locator("#inbox-list > li")).to_have_count(1)
    shot(page, f"inbox-archived-chip-{lang}-{size}")
    row(page, c0).get_by_role("button", name=words["row_menu"]).click()
    row(page, c0).get_by_role("button", name=words["unarchive"], exact=True).click()
    expect(row(page, c0)).to_have_count(0)
    expect(count(page, "archived")).to_have_text("0")
    expect(count(other_tab, "all")).to_have_text("4")

    # Filters: Buying, Selling, Unread (live), and one item.
    chip(page, words, "buying").click()
    expect(page.locator("#inbox-list > li")).to_have_count(1)
    expect(row(page, c3)).to_be_visible()
    chip(page, words, "selling").click()
    expect(page.locator("#inbox-list > li")).to_have_count(3)
    chip(page, words, "unread").click()
    expect(count(page, "unread")).to_have_text("3")  # sara read the bike conversation when she opened it
    expect(page.locator("#inbox-list > li")).to_have_count(3)
    expect(row(page, c0)).to_have_count(0)
    api_send(live_server_proc, w["buyers"][0], c0, "Any news?")  # unread again: it joins the list live
    expect(row(page, c0)).to_be_visible()
    expect(count(page, "unread")).to_have_text("4")
    other_tab.goto(f"/messages/{c2}/")  # reading one elsewhere: it leaves Unread here
    expect(row(page, c2)).to_have_count(0)
    expect(count(page, "unread")).to_have_text("3")
    chip(page, words, "all").click()
    page.locator("#inbox-item-filter").select_option(str(w["lamp"]))
    expect(page.locator("#inbox-list > li")).to_have_count(2)
    shot(page, f"inbox-filters-{lang}-{size}")
    other_tab.close()


def test_the_inbox_pages_past_its_first_page_and_stays_right_live(people, live_server_proc):
    name = seller_with_inbox(live_server_proc, 45)
    seller = people(name)
    page = seller.page
    page.goto("/messages/")
    connected(seller)
    rows = page.locator("#inbox-list > li")
    expect(rows).to_have_count(30)
    expect(page.locator("[data-count='all']")).to_have_text("45")
    page.locator("#inbox-more").scroll_into_view_if_needed()
    expect(rows).to_have_count(45)
    # The oldest conversation gets a message: it moves to the top, once.
    last_id = int(rows.last.get_attribute("data-conversation-id"))
    buyer = seed(live_server_proc, f"""
        from parley.conversations.models import Conversation
        buyer = Conversation.objects.get(pk={last_id}).buyer
        buyer.set_password({PASSWORD!r})
        buyer.save()
        print(buyer.username)
    """).strip()
    api_send(live_server_proc, buyer, last_id, "bump")  # through the server, so it is live
    expect(rows.first).to_have_attribute("data-conversation-id", str(last_id))
    expect(rows).to_have_count(45)
    shot(page, "inbox-paged-live")


def test_marketplace_search_and_price_filter(people, live_server_proc):
    tag = uuid.uuid4().hex[:6]
    seed(live_server_proc, f"""
        from django.contrib.auth import get_user_model
        from parley.marketplace.models import Listing
        seller = get_user_model().objects.create_user(username="m{tag}", password="x")
        Listing.objects.create(seller=seller, title="Teapot {tag} small", price="12.00")
        Listing.objects.create(seller=seller, title="Teapot {tag} large", price="45.00")
    """)
    visitor = people(None)
    page = visitor.page
    page.goto("/marketplace/")
    page.get_by_role("searchbox", name="Search listings").fill(f"teapot {tag}")
    page.get_by_label("Max price").fill("20")
    page.get_by_role("button", name="Filter").click()
    cards = page.locator("#listing-grid .listing-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("small")
    shot(page, "marketplace-filter")
    page.get_by_label("Min price").fill("50")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("[role=alert]")).to_be_visible()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_two_tabs_keep_the_filter_counts_from_the_stream(people, live_server_proc, size):
    """Read elsewhere, Mark as unread, a reply, a new buyer, Archive: both tabs of the seller
    move their chips' counts live, and the second tab never asks for them again meanwhile
    (the events' inbox_moves)."""
    w = world(live_server_proc)
    c0, c1, c2, c3 = w["convs"]
    sara = person(people, w["sara"], "en", DESKTOP if size == "desktop" else PHONE)
    tab_a = sara.page
    tab_a.goto("/messages/")
    tab_b = sara.context.new_page()
    asked = []
    tab_b.on("request", lambda r: asked.append(r.url) if "/api/v1/conversations/counts" in r.url else None)
    with tab_b.expect_response(lambda r: "/api/v1/conversations/counts" in r.url):
        tab_b.goto("/messages/")
    connected(sara)
    tabs = (tab_a, tab_b)

    def counts_are(**want):
        for tab in tabs:
            for key, n in want.items():
                expect(count(tab, key)).to_have_text(str(n))

    counts_are(all=4, unread=4, buying=1, selling=3, archived=0)
    asked.clear()
    device = live_server_proc.login(w["sara"])  # her phone, through the API
    try:
        assert device.post(f"/api/v1/conversations/{c1}/read", json={}).status_code == 200
        counts_are(unread=3)
        row(tab_a, c1).get_by_role("button", name="Conversation actions").click()
        row(tab_a, c1).get_by_role("button", name="Mark as unread").click()
        counts_are(unread=4)
        r = device.post(f"/api/v1/conversations/{c2}/messages", json={"body": "Yes, bulb included", "client_msg_id": str(uuid.uuid4())})
        assert r.status_code == 201, r.text  # sending reads the conversation
        counts_are(all=4, unread=3, selling=3)
    finally:
        device.close()
    olga = live_server_proc.login(w["other"])  # a new buyer: the conversation appears with its first message
    try:
        r = olga.post("/api/v1/conversations", json={"listing_id": w["lamp"]})
        assert r.status_code in (200, 201), r.text
        new_id = r.json()["conversation"]["id"]
        counts_are(all=4, selling=3)  # not before its first message
        r = olga.post(f"/api/v1/conversations/{new_id}/messages", json={"body": "Is the lamp still for sale?", "client_msg_id": str(uuid.uuid4())})
        assert r.status_code == 201, r.text
    finally:
        olga.close()
    counts_are(all=5, unread=4, buying=1, selling=4, archived=0)
    expect(tab_b.locator("#inbox-item-filter option", has_text="Desk lamp")).to_have_text(re.compile(r"\(3\)$"))
    assert asked == [], "the counts came from the events, not from requests"
    device = live_server_proc.login(w["sara"])
    try:  # archived on her phone: both tabs take the event's counts
        assert device.post(f"/api/v1/conversations/{c1}/archive", json={}).status_code == 200
    finally:
        device.close()
    counts_are(all=4, unread=3, buying=1, selling=3, archived=1)
    expect(row(tab_b, c1)).to_have_count(0)

    # Opened on her phone before a word was written: both tabs list it and count it
    # (conversation.started).
    out = seed(live_server_proc, f"""
        from django.contrib.auth import get_user_model
        from parley.marketplace.models import Listing
        olga = get_user_model().objects.get(username={w["other"]!r})
        print(Listing.objects.create(seller=olga, title="Footstool {w['other']}", price="15.00", currency="EUR").pk)
    """)
    device = live_server_proc.login(w["sara"])
    try:
        r = device.post("/api/v1/conversations", json={"listing_id": int(out.strip().splitlines()[-1])})
        assert r.status_code in (200, 201), r.text
        started = r.json()["conversation"]["id"]
    finally:
        device.close()
    counts_are(all=5, unread=3, buying=2, selling=3, archived=1)
    expect(row(tab_b, started)).to_be_visible()
    expect(tab_b.locator("#inbox-list > li").first).to_have_attribute("data-conversation-id", str(started))
    shot(tab_b, f"inbox-counts-second-tab-{size}")
    tab_b.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_row_menu_is_drawn_above_the_rows_below_it(people, live_server_proc, size):
    """A row's menu opens over the next rows: each of its items is what a tap at its middle
    reaches (the next row's time or avatar must not cover it), for every row, also after a
    live message redraws the list."""
    w = world(live_server_proc)
    sara = person(people, w["sara"], "en", DESKTOP if size == "desktop" else PHONE)
    page = sara.page
    page.goto("/messages/")
    connected(sara)
    expect(page.locator("#inbox-list > li")).to_have_count(4)

    def check_every_row():
        for conversation_id in w["convs"]:
            r = row(page, conversation_id)
            r.get_by_role("button", name="Conversation actions").click()
            item = r.get_by_role("button", name="Archive", exact=True)
            expect(item).to_be_visible()
            on_top = item.evaluate("(el) => { const b = el.getBoundingClientRect();"
                                   " const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);"
                                   " return el === hit || el.contains(hit); }")
            assert on_top, f"the menu of conversation {conversation_id} is covered"
            page.keyboard.press("Escape")
            expect(item).to_be_hidden()

    check_every_row()
    api_send(live_server_proc, w["buyers"][2], w["convs"][2], "A new question about the bulb")
    expect(page.locator("#inbox-list > li").first).to_have_attribute("data-conversation-id", str(w["convs"][2]))
    check_every_row()

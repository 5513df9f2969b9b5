"""Typing and presence over the socket, in-process (tests/support/asgi.py): on whatever broker
the run uses (memory; Redis with REDIS_URL, where a push can trail its ack: wait for it)."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from parley.presence.models import LastSeen
from parley.stream.models import StreamEvent
from tests import factories as f
from tests.support.asgi import ASGIHarness, run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_broker", "fresh_batchers")]


@pytest.fixture(autouse=True)
def quick(settings, rate_clock):
    settings.PARLEY_PRESENCE_GRACE = 0
    settings.PARLEY_PRESENCE_TTL = 3
    return rate_clock


def signals(frames, name):
    return [fr for fr in frames if fr.get("type") == "signal" and fr.get("signal") == name]


async def signal(ws, name, predicate=lambda data: True, timeout=5.0) -> dict:
    """The first `name` signal matching predicate pushed to ws (others read on the way are kept)."""
    for i, fr in enumerate(ws.backlog):
        if fr.get("type") == "signal" and fr.get("signal") == name and predicate(fr["data"]):
            return ws.backlog.pop(i)["data"]
    kept, ws.backlog = ws.backlog, []
    try:
        frames = await ws.until(lambda fr: fr.get("type") == "signal" and fr.get("signal") == name and predicate(fr["data"]), timeout)
    finally:
        ws.backlog[:0] = kept
    ws.backlog.extend(frames[:-1])
    return frames[-1]["data"]


async def nothing_more(ws, name) -> None:
    """No `name` signal reaches ws (everything before a ping's pong, after a short wait)."""
    await asyncio.sleep(0.1)
    assert signals(await ws.flush(), name) == []


def test_typing_reaches_every_tab_of_the_other_participant_and_no_one_else():
    alice, bob, carol, conv = f.trio()
    stored = StreamEvent.objects.count()

    async def go():
        async with ASGIHarness() as h:
            a1, a2, b, c = await h.ws(alice), await h.ws(alice), await h.ws(bob), await h.ws(carol)
            ack = await b.request({"type": "typing", "conversation_id": conv.pk})
            assert (ack["type"], ack["conversation_id"], ack["active"]) == ("ack", conv.pk, True)
            expected = {"conversation_id": conv.pk, "user_id": bob.pk, "active": True}
            assert await signal(a1, "typing") == expected
            assert await signal(a2, "typing") == expected
            await nothing_more(b, "typing")  # not to the typist
            await nothing_more(c, "typing")  # nor to an outsider
            await b.request({"type": "typing", "conversation_id": conv.pk, "active": False})
            assert (await signal(a1, "typing"))["active"] is False

    run(go())
    assert StreamEvent.objects.count() == stored, "typing is never stored"


def test_a_stranger_gets_not_found_for_typing_and_presence():
    alice, bob, carol, conv = f.trio()

    async def go():
        async with ASGIHarness() as h:
            c, a = await h.ws(carol), await h.ws(alice)
            for frame in ({"type": "typing", "conversation_id": conv.pk}, {"type": "presence", "user_id": alice.pk},
                          {"type": "typing", "conversation_id": 10**9}, {"type": "presence", "user_id": carol.pk}):
                error = await c.request(frame)
                assert (error["type"], error["code"]) == ("error", "not_found"), frame
            await nothing_more(a, "typing")
            error = await c.request({"type": "typing", "conversation_id": "3"})
            assert (error["code"], error["details"]["field"]) == ("invalid", "conversation_id")

    run(go())


def test_typing_is_rate_limited_per_user(settings, quick):
    settings.PARLEY_SIGNAL_RATE = "3/10"
    alice, bob, _carol, conv = f.trio()

    async def go():
        async with ASGIHarness() as h:
            a, b = await h.ws(alice), await h.ws(bob)
            for _ in range(3):
                assert (await b.request({"type": "typing", "conversation_id": conv.pk}))["type"] == "ack"
            error = await b.request({"type": "typing", "conversation_id": conv.pk})
            assert (error["code"], error["details"]["retry_after"]) == ("rate_limited", 10)
            quick.advance(10)
            assert (await b.request({"type": "typing", "conversation_id": conv.pk}))["type"] == "ack"
            for _ in range(4):
                await signal(a, "typing")
            await nothing_more(a, "typing")

    run(go())


def test_closing_the_typists_socket_tells_the_other_side_typing_stopped():
    alice, bob, _carol, conv = f.trio()

    async def go():
        async with ASGIHarness() as h:
            a, b = await h.ws(alice), await h.ws(bob)
            await b.request({"type": "typing", "conversation_id": conv.pk})
            assert (await signal(a, "typing"))["active"] is True
            await b.close()
            assert await signal(a, "typing") == {"conversation_id": conv.pk, "user_id": bob.pk, "active": False}

    run(go())


def test_presence_online_on_connect_then_offline_with_last_seen_after_close():
    alice, bob, carol, conv = f.trio()

    async def go():
        async with ASGIHarness() as h:
            a = await h.ws(alice)
            reply = await a.request({"type": "presence", "user_id": bob.pk})
            assert reply == {"type": "presence", "id": reply["id"], "user_id": bob.pk, "online": False, "last_seen_at": None}
            b1 = await h.ws(bob)
            assert await signal(a, "presence") == {"user_id": bob.pk, "online": True, "last_seen_at": None}
            b2 = await h.ws(bob)
            assert (await a.request({"type": "presence", "user_id": bob.pk}))["online"] is True
            await b1.close()
            await nothing_more(a, "presence")  # another tab is still open
            await b2.close()
            gone = await signal(a, "presence")
            assert (gone["user_id"], gone["online"]) == (bob.pk, False) and gone["last_seen_at"].endswith("Z")
            await until_stored(bob)
            reply = await a.request({"type": "presence", "user_id": bob.pk})
            assert (reply["online"], reply["last_seen_at"][:19]) == (False, gone["last_seen_at"][:19])
            # Bob watches alice: her changes reach him, not carol's watchers.
            b3 = await h.ws(bob)
            assert (await b3.request({"type": "presence", "user_id": alice.pk}))["online"] is True
            c = await h.ws(carol)
            await nothing_more(b3, "presence")
            await c.close()

    run(go())


async def until_stored(user, timeout=5.0):
    for _ in range(int(timeout / 0.02)):
        if await sync_to_async(LastSeen.objects.filter(user=user).exists)():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("last seen was not stored")


def test_grace_keeps_a_page_load_from_flickering_offline(settings):
    settings.PARLEY_PRESENCE_GRACE = 0.3
    alice, bob, _carol, conv = f.trio()

    async def go():
        async with ASGIHarness() as h:
            a = await h.ws(alice)
            await a.request({"type": "presence", "user_id": bob.pk})
            b = await h.ws(bob)
            await signal(a, "presence")
            await b.close()
            b = await h.ws(bob)  # the next page's socket, within the grace
            await asyncio.sleep(0.5)
            await nothing_more(a, "presence")
            await b.close()
            assert (await signal(a, "presence"))["online"] is False

    run(go())


def test_the_frames_over_http_answer_the_same_and_refuse_strangers(published):
    import json

    from django.test import Client

    alice, bob, carol, conv = f.trio()
    published.clear()  # bob's conversation.started

    def post(user, frame):
        http = Client()
        http.force_login(user)
        r = http.post("/api/v1/frames", json.dumps(frame), content_type="application/json")
        return r.status_code, r.json()

    assert post(carol, {"type": "typing", "conversation_id": conv.pk})[0] == 404
    assert post(carol, {"type": "presence", "user_id": alice.pk})[0] == 404
    assert post(bob, {"type": "typing", "conversation_id": conv.pk}) == (
        200, {"type": "ack", "conversation_id": conv.pk, "active": True})
    assert published == [(alice.pk, {"type": "signal", "signal": "typing",
                                     "data": {"conversation_id": conv.pk, "user_id": bob.pk, "active": True}})]
    assert post(bob, {"type": "presence", "user_id": alice.pk}) == (
        200, {"type": "presence", "user_id": alice.pk, "online": False, "last_seen_at": None})


def test_a_blocked_persons_typing_is_not_relayed_and_they_are_not_told():
    from parley.safety.services import block_create

    alice, bob, _carol, conv = f.trio()
    block_create(blocker=alice, blocked=bob)

    async def go():
        async with ASGIHarness() as h:
            a, b = await h.ws(alice), await h.ws(bob)
            ack = await b.request({"type": "typing", "conversation_id": conv.pk})
            assert (ack["type"], ack["active"]) == ("ack", True), "the same ack as anyone's"
            await nothing_more(a, "typing")
            # The blocker's own typing still reaches bob (he is told nothing of the block either).
            await a.request({"type": "typing", "conversation_id": conv.pk})
            assert (await signal(b, "typing"))["user_id"] == alice.pk

    run(go())

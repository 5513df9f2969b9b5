"""The WebSocket protocol against a real server process (SQLite, memory broker, demo data).

tests/realtime/test_inprocess.py drives the same endpoint in-process over ASGI, where it
can hold frames in flight, move the rate limiter's clock and count commits.
"""

import asyncio
import uuid

import orjson

from tests.support.wsclient import alice, bob, carol, conv, connect, is_message, run, server  # noqa: F401 (fixtures)


def test_delivery_to_the_other_user_and_the_senders_other_sockets(server, alice, bob, conv):
    async def go():
        async with connect(server, alice) as a1, connect(server, alice) as a2, connect(server, bob) as b1, connect(server, bob) as b2:
            body = f"hello {uuid.uuid4()}"
            ack = await b1.send_message(conv, body)
            assert ack["type"] == "ack" and ack["created"] is True
            message = ack["message"]
            assert message["body"] == body and message["conversation_id"] == conv
            for sock, cursor in ((a1, a1.ready["cursor"]), (a2, a2.ready["cursor"]), (b1, b1.ready["cursor"]), (b2, b2.ready["cursor"])):
                event = await sock.event("message.created", is_message(body))
                assert event["data"]["message"] == message
                assert event["seq"] == cursor + 1, "the first event after the ready cursor"
            # Alice's copy carries her unread count; bob's says he has read his own message.
            synced = await a1.request({"type": "sync", "since": a1.ready["cursor"]})
            (mine,) = [e for e in synced["events"] if e["data"]["message"]["body"] == body]
            assert mine["data"]["unread"] >= 1 and mine["data"]["conversation"]["role"] == "seller"
            synced = await b1.request({"type": "sync", "since": b1.ready["cursor"]})
            (theirs,) = [e for e in synced["events"] if e["data"]["message"]["body"] == body]
            assert theirs["data"]["unread"] == 0 and theirs["data"]["conversation"]["role"] == "buyer"

    run(go())


def test_the_sending_socket_gets_its_own_event_inside_the_ack_only(server, alice, bob, conv):
    """One process (memory broker): the sender's own message.created event rides on the ack,
    and that socket is not pushed a second copy; the sender's other socket gets the push."""
    async def go():
        async with connect(server, bob) as b1, connect(server, bob) as b2:
            body = f"own event {uuid.uuid4()}"
            await b1.send({"type": "send", "id": "s1", "conversation_id": conv, "body": body,
                           "client_msg_id": str(uuid.uuid4())})
            raw = []  # every frame off b1's socket up to the pong that follows the ack
            ack_seen = False
            await b1.send({"type": "ping", "id": "p1"})
            while True:
                frame = orjson.loads(await asyncio.wait_for(b1.ws.recv(), 5))
                raw.append(frame)
                ack_seen = ack_seen or frame.get("id") == "s1"
                if frame.get("id") == "p1" and ack_seen:
                    break
            (ack,) = [fr for fr in raw if fr.get("id") == "s1"]
            assert ack["type"] == "ack" and ack["created"] is True
            event = ack["event"]
            assert event["event"] == "message.created" and event["seq"] == b1.ready["cursor"] + 1
            assert event["data"]["message"] == ack["message"] and event["data"]["unread"] == 0
            assert not [fr for fr in raw if fr.get("type") == "event"], "no second copy on the sending socket"
            pushed = await b2.event("message.created", is_message(body))
            assert {k: pushed[k] for k in ("seq", "event", "data")} == event
            # A retry is answered from the stored message; its event was already delivered.
            retry = await b1.request({"type": "send", "conversation_id": conv, "body": body,
                                      "client_msg_id": ack["client_msg_id"]})
            assert retry["created"] is False and "event" not in retry

    run(go())


def test_same_client_msg_id_twice_is_one_message(server, alice, bob, conv):
    async def go():
        async with connect(server, alice) as a, connect(server, bob) as b:
            cmid = uuid.uuid4()
            first = await b.send_message(conv, "only once", cmid)
            second = await b.send_message(conv, "only once (retry)", cmid)
            assert (first["created"], second["created"]) == (True, False)
            assert second["message"] == first["message"]
            assert first["client_msg_id"] == second["client_msg_id"] == str(cmid)
            await a.event("message.created", lambda fr: fr["data"]["message"]["id"] == first["message"]["id"])
            pong = await a.ping()
            assert pong["type"] == "pong"
            synced = await a.request({"type": "sync", "since": a.ready["cursor"]})
            ids = [e["data"]["message"]["id"] for e in synced["events"] if e["event"] == "message.created"]
            assert ids.count(first["message"]["id"]) == 1
            assert not [fr for fr in a.frames if fr.get("type") == "event" and fr["data"]["message"]["id"] == first["message"]["id"]]

    run(go())


def test_reconnect_and_catch_up_with_sync(server, alice, bob, conv):
    async def go():
        async with connect(server, alice) as a:
            cursor = a.ready["cursor"]
        bodies = [f"missed {i} {uuid.uuid4()}" for i in range(5)]
        for body in bodies:
            r = bob.post(f"/api/v1/conversations/{conv}/messages", json={"body": body, "client_msg_id": str(uuid.uuid4())})
            assert r.status_code == 201, r.text
        async with connect(server, alice) as a:
            assert a.ready["cursor"] == cursor + 5
            synced = await a.request({"type": "sync", "since": cursor})
            assert synced["type"] == "sync"
            assert [e["seq"] for e in synced["events"]] == [cursor + i for i in range(1, 6)]
            assert [e["event"] for e in synced["events"]] == ["message.created"] * 5
            assert [e["data"]["message"]["body"] for e in synced["events"]] == bodies
            seqs = [e["data"]["message"]["seq"] for e in synced["events"]]
            assert seqs == sorted(seqs) and len(set(seqs)) == 5
            assert synced["cursor"] == synced["head"] == cursor + 5
            assert (await a.request({"type": "sync", "since": cursor + 5}))["events"] == []
            beyond = await a.request({"type": "sync", "since": cursor + 1000})
            assert beyond["type"] == "resync_required" and beyond["cursor"] == cursor + 5

    run(go())


def test_read_marks_are_published_to_both_sides(server, alice, bob, conv):
    async def go():
        async with connect(server, alice) as a, connect(server, bob) as b:
            body = f"read me {uuid.uuid4()}"
            ack = await b.send_message(conv, body)
            seq = ack["message"]["seq"]
            await a.event("message.created", is_message(body))
            reply = await a.request({"type": "read", "conversation_id": conv, "seq": seq})
            assert reply == {"type": "ack", "conversation_id": conv, "last_read_seq": seq, "id": reply["id"]}
            mine = await a.event("conversation.read", lambda fr: fr["data"]["seq"] == seq)
            theirs = await b.event("conversation.read", lambda fr: fr["data"]["seq"] == seq)
            assert mine["data"]["user_id"] == theirs["data"]["user_id"] == a.ready["user_id"]
            assert mine["data"]["unread"] == 0 and "unread_total" in mine["data"]
            assert "unread" not in theirs["data"], "the other side does not learn the reader's counts"
            again = await a.request({"type": "read", "conversation_id": conv, "seq": max(seq - 1, 0)})
            assert again["last_read_seq"] == seq, "a read mark never moves back"

    run(go())

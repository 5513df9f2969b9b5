"""parley.client against a real server: log in with a token, start, send, page messages, and
follow live events from another user, each once, across a reconnect."""

import asyncio
import uuid

import pytest

from parley.client import ApiError, Client
from tests.support.wsclient import run

PASSWORD = "parley-demo"


@pytest.fixture(scope="module")
def server(live_server_proc):
    return live_server_proc


def test_log_in_send_page_and_follow_live_events(server):
    alice_http = server.login("alice")

    async def go():
        bob = await Client.login(server.base_url, "bob", PASSWORD, device_name="pytest")
        async with bob:
            me = await bob.me()
            assert me["user"]["username"] == "bob"
            start = bob.cursor.seq
            conversation = await _bobs_conversation_with_alice(bob)
            conv = conversation["id"]
            cmid = str(uuid.uuid4())
            sent = await bob.send(conv, "from the python client", client_msg_id=cmid)
            again = await bob.send(conv, "from the python client", client_msg_id=cmid)
            assert sent["id"] == again["id"], "a retry with the same client_msg_id is the same message"
            page = await bob.messages(conv, limit=5)
            assert page["messages"][-1]["id"] == sent["id"]
            reply = await bob.send(conv, "and a reply to it", reply_to_id=sent["id"])
            assert reply["reply_to"]["id"] == sent["id"]

            head = (await bob.me())["cursor"]
            events = bob.events(since=head)
            body = f"alice says {uuid.uuid4().hex[:6]}"
            first = asyncio.ensure_future(anext(events))
            await asyncio.sleep(0.3)  # the socket opens; the message then comes as a push
            r = alice_http.post(f"/api/v1/conversations/{conv}/messages", json={"body": body, "client_msg_id": str(uuid.uuid4())})
            assert r.status_code == 201
            got = await asyncio.wait_for(first, 10)
            assert got["event"] == "message.created" and got["data"]["message"]["body"] == body
            assert got["seq"] == head + 1 and bob.cursor.seq == head + 1
            await events.aclose()

            # Reconnect later from the kept cursor: what was missed comes by sync, once.
            missed = [f"missed {i} {uuid.uuid4().hex[:4]}" for i in range(3)]
            for text in missed:
                alice_http.post(f"/api/v1/conversations/{conv}/messages", json={"body": text, "client_msg_id": str(uuid.uuid4())})
            seen = []
            async for event in bob.events():
                if event["event"] == "message.created":
                    seen.append(event["data"]["message"]["body"])
                if len(seen) == 3:
                    break
            assert seen == missed
            assert start <= bob.cursor.seq

    run(go())


async def _bobs_conversation_with_alice(bob: Client) -> dict:
    for listing_id in range(1, 30):
        try:
            conversation = await bob.start(listing_id=listing_id)
        except ApiError:
            continue
        if conversation["other"]["username"] == "alice":
            return conversation
    raise AssertionError("no listing of alice's in the demo data")


def test_wrong_password_and_revoked_tokens_are_api_errors(server):
    async def go():
        with pytest.raises(ApiError) as wrong:
            await Client.login(server.base_url, "bob", "not the password")
        assert (wrong.value.status, wrong.value.code) == (401, "invalid_credentials")
        bob = await Client.login(server.base_url, "bob", PASSWORD, device_name="to revoke")
        async with bob:
            devices = await bob.devices()
            mine = next(d for d in devices if d["name"] == "to revoke")
            await bob.revoke_device(mine["id"])
            with pytest.raises(ApiError) as revoked:
                await bob.me()
            assert revoked.value.status == 401
            with pytest.raises(ApiError):
                async for _ in bob.events():
                    pass

    run(go())

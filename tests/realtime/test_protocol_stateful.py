"""A Hypothesis stateful test of the protocol against a real server (SQLite, memory broker).

Random sends (some reusing a client_msg_id), concurrent senders, disconnects, reconnects
and dropped pushes; the invariant: after a sync every client's view is the database's
messages, in order, each once, and read marks only move forward.
"""

import asyncio
import uuid

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tests.support.live import LiveServer
from tests.support.protocol_client import StreamClient, api_messages, open_conversation, same_messages

pytestmark = pytest.mark.timeout(600)

TABS = ["alice-1", "alice-2", "bob-1"]  # alice has two tabs open


@pytest.fixture(scope="module")
def protocol_server(tmp_path_factory):
    server = LiveServer(workdir=tmp_path_factory.mktemp("protocol")).start()
    yield server
    server.stop()


class ProtocolMachine(RuleBasedStateMachine):
    server: LiveServer = None  # set by the test

    def __init__(self):
        super().__init__()
        self.loop = asyncio.new_event_loop()
        s = self.server
        self.http = {"alice": s.login("alice"), "bob": s.login("bob")}
        self.conv = open_conversation(s.base_url, self.http["bob"], "alice")
        self.tabs: dict[str, StreamClient] = {}
        for n, tab in enumerate(TABS):
            user = tab.split("-")[0]
            self.tabs[tab] = StreamClient(s.ws_url, self.http[user], origin=s.base_url, drop_pushes=0.0, seed=n)
        self.sent: dict[str, list[str]] = {"alice": [], "bob": []}  # acknowledged client_msg_ids
        self.read_seen: dict[str, int] = {"alice": 0, "bob": 0}

    def run(self, coro, timeout: float = 30):
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    @initialize()
    def connect_all(self):
        for client in self.tabs.values():
            self.run(client.connect())

    def teardown(self):
        try:
            for client in self.tabs.values():
                if not client.connected:
                    self.run(client.connect())
            self.check_views()
        finally:
            for client in self.tabs.values():
                self.run(client.disconnect())
            self.loop.close()

    # --- actions --------------------------------------------------------------------
    async def _send(self, tab: str, cmid: str, body: str) -> dict:
        user = tab.split("-")[0]
        client = self.tabs[tab]
        if client.connected:
            reply = await client.send(self.conv, body, cmid)
            assert reply["type"] == "ack", reply
            message = reply["message"]
        else:  # a disconnected tab sends over HTTP, the fallback transport
            r = await asyncio.to_thread(
                self.http[user].post, f"/api/v1/conversations/{self.conv}/messages", json={"body": body, "client_msg_id": cmid}
            )
            assert r.status_code in (200, 201), r.text
            message = r.json()["message"]
        assert message["client_msg_id"] == cmid
        return message

    @rule(tab=st.sampled_from(TABS), body=st.text(min_size=1, max_size=20).filter(lambda b: b.strip() and b.isprintable()))
    def send_new(self, tab, body):
        user = tab.split("-")[0]
        cmid = str(uuid.uuid4())
        self.run(self._send(tab, cmid, body))
        self.sent[user].append(cmid)

    @precondition(lambda self: self.sent["alice"] or self.sent["bob"])
    @rule(tab=st.sampled_from(TABS), pick=st.integers(min_value=0, max_value=10_000))
    def resend_duplicate(self, tab, pick):
        """A retry (same client_msg_id, maybe from another tab) returns the original."""
        user = tab.split("-")[0]
        if not self.sent[user]:
            return
        cmid = self.sent[user][pick % len(self.sent[user])]
        before = len(api_messages(self.http["bob"], self.conv))
        self.run(self._send(tab, cmid, "a retry"))
        assert len(api_messages(self.http["bob"], self.conv)) == before

    @rule(n=st.integers(min_value=2, max_value=6), dup=st.booleans())
    def concurrent_senders(self, n, dup):
        """Every tab sends at once; with dup, two tabs of alice race the same client_msg_id."""
        jobs, shared = [], str(uuid.uuid4())
        for i in range(n):
            tab = TABS[i % len(TABS)]
            cmid = shared if dup and tab.startswith("alice") else str(uuid.uuid4())
            jobs.append((tab, cmid))

        async def all_at_once():
            return await asyncio.gather(*(self._send(tab, cmid, f"c{i}") for i, (tab, cmid) in enumerate(jobs)))

        messages = self.run(all_at_once())
        by_cmid = {}
        for (tab, cmid), message in zip(jobs, messages):
            assert by_cmid.setdefault(cmid, message["id"]) == message["id"], "one message per client_msg_id"
            user = tab.split("-")[0]
            if cmid not in self.sent[user]:
                self.sent[user].append(cmid)

    @rule(tab=st.sampled_from(TABS))
    def disconnect(self, tab):
        self.run(self.tabs[tab].disconnect())

    @rule(tab=st.sampled_from(TABS))
    def reconnect(self, tab):
        client = self.tabs[tab]
        if not client.connected:
            self.run(client.connect())

    @rule(tab=st.sampled_from(TABS), p=st.sampled_from([0.0, 0.3, 1.0]))
    def set_dropped_pushes(self, tab, p):
        self.tabs[tab].drop_pushes = p

    @rule(tab=st.sampled_from(TABS), back=st.integers(min_value=0, max_value=5))
    def mark_read(self, tab, back):
        client = self.tabs[tab]
        if not client.connected:
            return
        user = tab.split("-")[0]
        view = client.view(self.conv)
        seq = max(0, (view[-1]["seq"] if view else 0) - back)
        reply = self.run(client.request({"type": "read", "conversation_id": self.conv, "seq": seq}))
        assert reply["type"] == "ack", reply
        assert reply["last_read_seq"] >= self.read_seen[user], "read marks only move forward"
        self.read_seen[user] = reply["last_read_seq"]

    @rule()
    def settle_and_check(self):
        self.check_views()

    # --- the invariant --------------------------------------------------------------
    def check_views(self):
        db = api_messages(self.http["bob"], self.conv)
        assert len({m["client_msg_id"] + str(m["sender_id"]) for m in db}) == len(db), "each send once"
        assert [m["seq"] for m in db] == list(range(1, len(db) + 1)), "gap-free per-conversation seq"
        for tab, client in self.tabs.items():
            if not client.connected:
                continue
            self.run(client.sync())
            assert not client.duplicates, tab
            assert client.applied == list(range(client.applied[0], client.applied[0] + len(client.applied))) if client.applied else True
            assert same_messages(client.view(self.conv), db), (tab, len(client.view(self.conv)), len(db))
            for marks in client.read_marks.values():
                assert marks == sorted(marks), "read events only move forward"

    @invariant()
    def cursors_never_pass_the_head(self):
        for client in self.tabs.values():
            assert client.cursor >= 0


def test_protocol_state_machine(protocol_server):
    ProtocolMachine.server = protocol_server
    runner = ProtocolMachine.TestCase
    runner.settings = settings(
        max_examples=6, stateful_step_count=20, deadline=None, derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    runner().runTest()

// The tab's client: reconnect with back-off and sync, the close codes of docs/protocol.md, the
// switch to long-polling after two sockets that never said ready, and the probe back.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Client } from "../../src/parley/core/static/parley/js/client.js";
import { UserStorage, memoryStorage } from "../../src/parley/core/static/parley/js/storage.js";
import { fakeClock, settle } from "./helpers.mjs";

class FakeSocket {
  constructor(url, made) {
    this.url = url;
    this.readyState = 1;
    this.sent = [];
    this.listeners = {};
    made.push(this);
  }
  addEventListener(name, fn) { (this.listeners[name] ||= []).push(fn); }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; }
  serverSends(frame) { for (const fn of this.listeners.message || []) fn({ data: JSON.stringify(frame) }); }
  serverCloses(code) { this.readyState = 3; for (const fn of this.listeners.close || []) fn({ code }); }
  last(type) { return [...this.sent].reverse().find((f) => f.type === type); }
}

function makeClient({ cursor = 0, fetchImpl } = {}) {
  const clock = fakeClock();
  const sockets = [];
  const online = { value: true };
  const WebSocketImpl = function (url) { return new FakeSocket(url, sockets); };
  const client = new Client({
    url: "ws://test/ws/", cursor, storage: new UserStorage(1, memoryStorage()),
    env: { clock, WebSocketImpl, online: () => online.value, random: () => 0.5, fetchImpl: fetchImpl || (() => new Promise(() => {})) },
  });
  const states = [];
  client.on("state", (s) => states.push(s));
  return { client, clock, sockets, online, states, socket: () => sockets[sockets.length - 1] };
}

async function ready(c, { events = [] } = {}) {
  c.socket().serverSends({ type: "ready", cursor: c.client.cursor });
  await settle();
  const sync = c.socket().last("sync");
  const last = events.length ? events[events.length - 1].seq : sync.since;
  c.socket().serverSends({ type: "sync", id: sync.id, since: sync.since, events, cursor: last, head: last });
  await settle();
}

test("connects, syncs from the page's cursor, and says connected", async () => {
  const c = makeClient({ cursor: 5 });
  c.client.start();
  assert.equal(c.client.state, "connecting");
  await ready(c, { events: [{ seq: 6, event: "x", data: {} }] });
  assert.equal(c.socket().sent[0].since, 5);
  assert.equal(c.client.state, "connected");
  assert.equal(c.client.cursor, 6);
});

test("a lost socket reconnects with back-off and syncs from where it was", async () => {
  const c = makeClient({ cursor: 2 });
  c.client.start();
  await ready(c);
  c.socket().serverCloses(1012); // server restart
  assert.equal(c.client.state, "reconnecting");
  assert.equal(c.sockets.length, 1);
  await c.clock.advance(400); // equal jitter: 250..500 ms for the first attempt
  assert.equal(c.sockets.length, 2);
  await ready(c, { events: [{ seq: 3, event: "x", data: {} }] });
  assert.equal(c.socket().sent[0].since, 2);
  assert.equal(c.client.state, "connected");
  assert.equal(c.client.cursor, 3);
});

test("4401: signed out, no reconnect", async () => {
  const c = makeClient();
  const signedOut = [];
  c.client.on("signed_out", () => signedOut.push(1));
  c.client.start();
  await ready(c);
  c.socket().serverCloses(4401);
  await c.clock.advance(60_000);
  assert.equal(c.client.state, "signed_out");
  assert.deepEqual(signedOut, [1]);
  assert.equal(c.sockets.length, 1);
});

test("4403: a refused Origin stops the client", async () => {
  const c = makeClient();
  c.client.start();
  c.socket().serverCloses(4403);
  await c.clock.advance(60_000);
  assert.equal(c.sockets.length, 1);
  assert.equal(c.client.state, "offline");
});

test("4008 (fell behind): reconnect and sync", async () => {
  const c = makeClient({ cursor: 9 });
  c.client.start();
  await ready(c);
  c.socket().serverCloses(4008);
  await c.clock.advance(600);
  assert.equal(c.sockets.length, 2);
  await ready(c);
  assert.equal(c.socket().sent[0].since, 9);
});

test("1013 (database down) and 4429 (too many sockets): back-off on the socket, never the long-poll", async () => {
  const c = makeClient({ cursor: 1 });
  c.client.start();
  for (let i = 0; i < 3; i++) {
    c.socket().serverCloses(1013);
    assert.equal(c.client.state, "reconnecting");
    await c.clock.advance(20_000);
  }
  assert.equal(c.client.transport, "websocket", "a server that answers is not a blocked WebSocket");
  const before = c.sockets.length;
  c.socket().serverCloses(4429);
  await c.clock.advance(7_000); // a long back-off: at least half the maximum
  assert.equal(c.sockets.length, before);
  await c.clock.advance(9_000);
  assert.equal(c.sockets.length, before + 1);
  assert.equal(c.client.transport, "websocket");
});

test("offline: no attempts until the browser is back online", async () => {
  const c = makeClient();
  c.online.value = false;
  c.client.start();
  assert.equal(c.client.state, "offline");
  assert.equal(c.sockets.length, 0);
  c.online.value = true;
  c.client._kick(); // what the window's "online" event does
  assert.equal(c.sockets.length, 1);
});

test("two sockets closed before ready: long-poll instead, and a later probe brings the socket back", async () => {
  const posts = [];
  const fetchImpl = async (url, init = {}) => {
    if (init.method === "POST") {
      const frame = JSON.parse(init.body);
      posts.push(frame);
      return { ok: true, status: 200, json: async () => ({ type: "sync", since: frame.since, cursor: frame.since, head: frame.since, events: [] }) };
    }
    return new Promise(() => {}); // the long-poll waits
  };
  const c = makeClient({ cursor: 4, fetchImpl });
  c.client.start();
  c.socket().serverCloses(1006);
  await c.clock.advance(600);
  c.socket().serverCloses(1006);
  await settle(10);
  assert.equal(c.client.transport, "fallback");
  assert.equal(c.client.state, "fallback");
  assert.deepEqual(posts.map((f) => [f.type, f.since]), [["sync", 4]]);
  assert.equal(c.client.connected, true, "live over HTTP");
  // The probe: a socket on the side, which takes over once it says ready.
  await c.clock.advance(61_000);
  assert.equal(c.sockets.length, 3);
  await ready(c);
  assert.equal(c.client.transport, "websocket");
  assert.equal(c.client.state, "connected");
  assert.equal(c.client.poll, null);
});

test("outbox items queued while connecting go once the link is live", async () => {
  const c = makeClient();
  c.client.start();
  const item = c.client.outbox.add({ conversation_id: 1, body: "hi" });
  await settle();
  assert.equal(c.socket().sent.length, 0);
  await ready(c);
  assert.equal(c.socket().last("send").client_msg_id, item.cmid);
});

test("suspend and resume (tests and debugging): offline, then back and synced", async () => {
  const c = makeClient({ cursor: 1 });
  c.client.start();
  await ready(c);
  c.client.suspend();
  assert.equal(c.client.state, "offline");
  assert.equal(c.client.connected, false);
  await c.clock.advance(60_000);
  assert.equal(c.sockets.length, 1);
  c.client.resume();
  assert.equal(c.sockets.length, 2);
  await ready(c);
  assert.equal(c.client.state, "connected");
});

// The two transports are thin: the long-poll POSTs the very frames the socket would send and
// feeds the replies, errors and polled events to the same core.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Protocol } from "../../src/parley/core/static/parley/js/protocol.js";
import { errorFrame, PollTransport } from "../../src/parley/core/static/parley/js/transport-poll.js";
import { WsTransport } from "../../src/parley/core/static/parley/js/transport-ws.js";
import { fakeClock, settle } from "./helpers.mjs";

function response(status, body) {
  return { ok: status >= 200 && status < 300, status, json: async () => body };
}

/** fetch that answers POST /api/v1/frames with handler(frame) and holds every GET of events. */
function fakeFetch(handler, { events = [] } = {}) {
  const calls = [];
  const fetchImpl = async (url, init = {}) => {
    calls.push({ url, init });
    if (init.method === "POST") return handler(JSON.parse(init.body), init);
    if (events.length) return events.shift();
    return new Promise(() => {}); // a long-poll that does not answer during the test
  };
  return { fetchImpl, calls };
}

function pollHarness(handler, options = {}) {
  const clock = fakeClock();
  const protocol = new Protocol({ cursor: options.cursor ?? 0, clock });
  const { fetchImpl, calls } = fakeFetch(handler, options);
  const signedOut = [];
  const poll = new PollTransport({ protocol, clock, fetchImpl, csrfToken: () => "tok", onSignedOut: () => signedOut.push(1) });
  return { clock, protocol, poll, calls, signedOut };
}

const syncReply = (frame) => response(200, { type: "sync", since: frame.since, cursor: frame.since, head: frame.since, events: [] });

test("the long-poll sends frames to /api/v1/frames with the CSRF token, and the reply reaches the core", async () => {
  const p = pollHarness((frame) => (frame.type === "sync" ? syncReply(frame) : response(200, { type: "pong", id: frame.id })));
  p.poll.start();
  await settle(10);
  assert.equal(p.protocol.live, true, "ready + sync over HTTP make it live");
  const pong = await p.protocol.request({ type: "ping" });
  assert.equal(pong.type, "pong");
  const post = p.calls.filter((c) => c.init.method === "POST").pop();
  assert.equal(post.url, "/api/v1/frames");
  assert.equal(post.init.headers["X-CSRFToken"], "tok");
  assert.deepEqual(JSON.parse(post.init.body), { type: "ping", id: pong.id });
});

test("a send over the long-poll: the ack (with its event) is the same frame as on the socket", async () => {
  const p = pollHarness((frame) => {
    if (frame.type === "sync") return syncReply(frame);
    return response(200, { type: "ack", id: frame.id, client_msg_id: frame.client_msg_id, created: true, message: { id: 1 }, event: { seq: 1, event: "message.created", data: {} } });
  });
  p.poll.start();
  await settle(10);
  const ack = await p.protocol.request({ type: "send", conversation_id: 1, body: "hi", client_msg_id: "c1" });
  assert.equal(ack.created, true);
  assert.equal(p.protocol.cursor, 1);
});

test("HTTP errors become the error object the socket produces", async () => {
  const p = pollHarness((frame) => (frame.type === "sync" ? syncReply(frame)
    : response(429, { error: { code: "rate_limited", message: "Too fast", details: { retry_after: 4 } } })));
  p.poll.start();
  await settle(10);
  await assert.rejects(p.protocol.request({ type: "send", conversation_id: 1, body: "x", client_msg_id: "c" }),
    (e) => e.code === "rate_limited" && e.details.retry_after === 4 && e.message === "Too fast");
  assert.deepEqual(errorFrame(7, 503, {}), { type: "error", id: 7, code: "unavailable", message: "unavailable", details: {} });
  assert.equal(errorFrame(1, 404, { error: { code: "not_found", message: "No" } }).code, "not_found");
});

test("a network error on a frame is 'offline' (the outbox keeps the message queued)", async () => {
  const p = pollHarness((frame) => (frame.type === "sync" ? syncReply(frame) : Promise.reject(new TypeError("network"))));
  p.poll.start();
  await settle(10);
  await assert.rejects(p.protocol.request({ type: "ping" }), (e) => e.code === "offline");
});

test("polled events are applied by the cursor rule; resync_required is passed on", async () => {
  const events = [
    response(200, { events: [{ seq: 1, event: "a", data: {} }, { seq: 2, event: "a", data: {} }], cursor: 2, head: 2 }),
    response(200, { events: [{ seq: 2, event: "a", data: {} }], cursor: 2, head: 2 }),
    response(200, { events: [], resync_required: true, cursor: 50 }),
  ];
  const p = pollHarness((frame) => syncReply(frame), { events });
  const applied = [];
  const resyncs = [];
  p.protocol.on("event", (e) => applied.push(e.seq));
  p.protocol.on("resync", (c) => resyncs.push(c));
  p.poll.start();
  await settle(20);
  assert.deepEqual(applied, [1, 2]);
  assert.deepEqual(resyncs, [50]);
  const gets = p.calls.filter((c) => !c.init.method);
  assert.match(gets[0].url, /^\/api\/v1\/events\?since=0&timeout=25$/);
  assert.match(gets[1].url, /since=2/);
});

test("a 401 on the long-poll means signed out: it stops", async () => {
  const p = pollHarness((frame) => syncReply(frame), { events: [response(401, { error: { code: "unauthenticated" } })] });
  p.poll.start();
  await settle(10);
  assert.deepEqual(p.signedOut, [1]);
  assert.equal(p.poll.running, false);
});

test("a failed poll backs off, drops the link, and catches up again when the server is back", async () => {
  const events = [Promise.reject(new TypeError("network")), response(200, { events: [], cursor: 0, head: 0 })];
  const p = pollHarness((frame) => syncReply(frame), { events });
  p.poll.start();
  await settle(10);
  assert.equal(p.protocol.live, false);
  await p.clock.advance(20_000);
  await settle(10);
  assert.equal(p.protocol.live, true);
  assert.ok(p.calls.filter((c) => c.init.method === "POST").length >= 2, "a second sync after the outage");
});

class FakeSocket {
  static made = [];
  constructor(url) {
    this.url = url;
    this.readyState = 1;
    this.sent = [];
    this.listeners = {};
    FakeSocket.made.push(this);
  }
  addEventListener(name, fn) { (this.listeners[name] ||= []).push(fn); }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; }
  serverSends(frame) { for (const fn of this.listeners.message || []) fn({ data: JSON.stringify(frame) }); }
  serverCloses(code) { this.readyState = 3; for (const fn of this.listeners.close || []) fn({ code }); }
}

function wsHarness() {
  const clock = fakeClock();
  const protocol = new Protocol({ cursor: 3, clock });
  const closes = [];
  const ws = new WsTransport({ url: "ws://x/ws/", protocol, clock, WebSocketImpl: FakeSocket, onClose: (info) => closes.push(info) });
  ws.open();
  const socket = FakeSocket.made[FakeSocket.made.length - 1];
  return { clock, protocol, ws, socket, closes };
}

test("the socket hands frames to the core only after `ready`, then syncs from the cursor", async () => {
  const w = wsHarness();
  w.socket.serverSends({ type: "event", seq: 4, event: "a", data: {} });
  assert.equal(w.protocol.cursor, 3, "nothing before ready");
  w.socket.serverSends({ type: "ready", cursor: 4 });
  await settle();
  assert.deepEqual(w.socket.sent[0], { type: "sync", since: 3, id: w.socket.sent[0].id });
  w.socket.serverSends({ type: "sync", id: w.socket.sent[0].id, events: [{ seq: 4, event: "a", data: {} }], cursor: 4, head: 4 });
  await settle();
  assert.equal(w.protocol.live, true);
  assert.equal(w.protocol.cursor, 4);
});

test("a socket closed by the server reports its code and whether it ever said ready", async () => {
  const w = wsHarness();
  w.socket.serverCloses(1011);
  assert.deepEqual(w.closes, [{ code: 1011, ready: false }]);
  const v = wsHarness();
  v.socket.serverSends({ type: "ready" });
  await settle();
  v.socket.serverCloses(4401);
  assert.deepEqual(v.closes, [{ code: 4401, ready: true }]);
  assert.equal(v.protocol.live, false);
});

test("a half-open socket (no pong) is dropped and reported", async () => {
  const w = wsHarness();
  w.socket.serverSends({ type: "ready" });
  await settle();
  w.socket.serverSends({ type: "sync", id: w.socket.sent[0].id, events: [], cursor: 3, head: 3 });
  await settle();
  await w.clock.advance(25_000); // the ping goes out
  assert.equal(w.socket.sent[w.socket.sent.length - 1].type, "ping");
  await w.clock.advance(10_001); // and no pong comes
  assert.deepEqual(w.closes, [{ code: 1006, ready: true }]);
});

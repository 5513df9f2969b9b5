// Every rule of docs/protocol.md that the client keeps, on the core alone.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Protocol, ReplyError } from "../../src/parley/core/static/parley/js/protocol.js";
import { answerSync, ev, FakeTransport, goLive, harness, settle } from "./helpers.mjs";

test("an event at cursor + 1 is applied, moves the cursor and reaches listeners by name", () => {
  const h = harness({ cursor: 4 });
  const seen = [];
  h.protocol.on("message.created", (data, frame) => seen.push([data.n, frame.seq]));
  h.protocol.receive({ type: "event", ...ev(5, "message.created", { n: "a" }) });
  assert.equal(h.protocol.cursor, 5);
  assert.deepEqual(seen, [["a", 5]]);
  assert.deepEqual(h.applied, [5]);
});

test("an event at or below the cursor is a duplicate and ignored", () => {
  const h = harness({ cursor: 5 });
  h.protocol.receive({ type: "event", ...ev(5) });
  h.protocol.receive({ type: "event", ...ev(3) });
  assert.deepEqual(h.applied, []);
  assert.equal(h.protocol.cursor, 5);
  assert.equal(h.transport.written.length, 0, "a duplicate asks for nothing");
});

test("a gap asks for sync since the cursor and applies what it returns, in order, once", async () => {
  const h = harness({ cursor: 2 });
  h.protocol.receive({ type: "event", ...ev(5) });
  assert.deepEqual(h.applied, [], "5 is not applied before 3 and 4");
  const sync = h.transport.last("sync");
  assert.equal(sync.since, 2);
  answerSync(h, [ev(3), ev(4), ev(5)]);
  await settle();
  assert.deepEqual(h.applied, [3, 4, 5]);
  h.protocol.receive({ type: "event", ...ev(5) }); // the push arrives late
  assert.deepEqual(h.applied, [3, 4, 5]);
});

test("two gaps while a sync is in flight make one sync request, then another round if still behind", async () => {
  const h = harness({ cursor: 0 });
  h.protocol.receive({ type: "event", ...ev(3) });
  h.protocol.receive({ type: "event", ...ev(4) });
  assert.equal(h.transport.all("sync").length, 1);
  answerSync(h, [ev(1), ev(2), ev(3)], { head: 3 }); // read before 4 committed
  await h.clock.advance(200);
  assert.equal(h.transport.all("sync").length, 2, "4 was seen, so it asks again");
  assert.equal(h.transport.last("sync").since, 3);
  answerSync(h, [ev(4)]);
  await settle();
  assert.deepEqual(h.applied, [1, 2, 3, 4]);
});

test("sync keeps asking while cursor < head (pages of 500)", async () => {
  const h = harness({ cursor: 0 });
  const done = h.protocol.sync();
  answerSync(h, [ev(1), ev(2)], { head: 4 });
  await settle();
  assert.equal(h.transport.last("sync").since, 2);
  answerSync(h, [ev(3), ev(4)], { head: 4 });
  assert.equal(await done, true);
  assert.deepEqual(h.applied, [1, 2, 3, 4]);
});

test("ready syncs from the cursor before the link is live, then emits open", async () => {
  const h = harness({ cursor: 7 });
  let opened = 0;
  h.protocol.on("open", () => opened++);
  h.protocol.receive({ type: "ready", user_id: 1, cursor: 9 });
  await settle();
  assert.equal(h.protocol.live, false);
  assert.equal(h.transport.last("sync").since, 7, "the page's cursor, not ready.cursor");
  answerSync(h, [ev(8), ev(9)]);
  await settle();
  assert.equal(h.protocol.live, true);
  assert.equal(opened, 1);
  assert.deepEqual(h.applied, [8, 9]);
});

test("resync_required: not live, and listeners are told to reload", async () => {
  const h = harness({ cursor: 3 });
  const resyncs = [];
  h.protocol.on("resync", (cursor) => resyncs.push(cursor));
  h.protocol.receive({ type: "ready" });
  await settle();
  const sync = h.transport.last("sync");
  h.protocol.receive({ type: "resync_required", id: sync.id, cursor: 40 });
  await settle();
  assert.deepEqual(resyncs, [40]);
  assert.equal(h.protocol.live, false);
  assert.deepEqual(h.applied, []);
});

test("an unsolicited resync_required (from the long-poll) is handled the same way", () => {
  const h = harness();
  const resyncs = [];
  h.protocol.on("resync", (c) => resyncs.push(c));
  h.protocol.receive({ type: "resync_required", cursor: 12 });
  assert.deepEqual(resyncs, [12]);
});

test("ack.event is applied like an event frame, before the ack resolves", async () => {
  const h = harness({ cursor: 10 });
  await goLive(h);
  const order = [];
  h.protocol.on("message.created", () => order.push("event"));
  const reply = h.protocol.request({ type: "send", conversation_id: 1, body: "hi", client_msg_id: "c1" }).then((r) => { order.push("ack"); return r; });
  const send = h.transport.last("send");
  h.protocol.receive({ type: "ack", id: send.id, client_msg_id: "c1", created: true, message: { id: 9 }, event: ev(11) });
  assert.equal((await reply).message.id, 9);
  assert.deepEqual(order, ["event", "ack"]);
  assert.equal(h.protocol.cursor, 11);
  h.protocol.receive({ type: "event", ...ev(11) }); // a server that pushes it anyway
  assert.deepEqual(h.applied, [11]);
});

test("an ack without event (a retry, or Redis) resolves; the pushed event applies by the rule", async () => {
  const h = harness({ cursor: 10 });
  await goLive(h);
  const reply = h.protocol.request({ type: "send", conversation_id: 1, body: "hi", client_msg_id: "c1" });
  h.protocol.receive({ type: "ack", id: h.transport.last("send").id, client_msg_id: "c1", created: false, message: { id: 9 } });
  assert.equal((await reply).created, false);
  assert.equal(h.protocol.cursor, 10);
  h.protocol.receive({ type: "event", ...ev(11) });
  assert.deepEqual(h.applied, [11]);
});

test("ack.event with a gap before it asks for sync instead of applying it", async () => {
  const h = harness({ cursor: 10 });
  await goLive(h);
  const reply = h.protocol.request({ type: "send", conversation_id: 1, body: "x", client_msg_id: "c" });
  h.protocol.receive({ type: "ack", id: h.transport.last("send").id, created: true, message: { id: 1 }, event: ev(13) });
  await reply;
  assert.deepEqual(h.applied, []);
  answerSync(h, [ev(11), ev(12), ev(13)]);
  await settle();
  assert.deepEqual(h.applied, [11, 12, 13]);
});

test("signals are live-only: handed to listeners, the cursor untouched, unknown ones ignored", () => {
  const h = harness({ cursor: 5 });
  const typing = [];
  const all = [];
  h.protocol.on("signal:typing", (data) => typing.push(data.conversation_id));
  h.protocol.on("signal", (name) => all.push(name));
  h.protocol.receive({ type: "signal", signal: "typing", data: { conversation_id: 3 } });
  h.protocol.receive({ type: "signal", signal: "something-new", data: {} });
  h.protocol.receive({ type: "signal" }); // malformed: no name
  assert.deepEqual(typing, [3]);
  assert.deepEqual(all, ["typing", "something-new"]);
  assert.equal(h.protocol.cursor, 5);
  assert.equal(h.transport.written.length, 0);
});

test("an error frame rejects the request it answers with code, message and details", async () => {
  const h = harness();
  await goLive(h);
  const p = h.protocol.request({ type: "send", conversation_id: 1, body: "x", client_msg_id: "c" });
  h.protocol.receive({ type: "error", id: h.transport.last("send").id, code: "rate_limited", message: "slow down", details: { retry_after: 3 } });
  await assert.rejects(p, (err) => err instanceof ReplyError && err.code === "rate_limited" && err.details.retry_after === 3 && err.message === "slow down");
});

test("no reply in time rejects with timeout, on the injected clock", async () => {
  const h = harness();
  await goLive(h);
  const p = h.protocol.request({ type: "ping" }, { timeout: 1000 });
  let code = null;
  p.catch((e) => { code = e.code; });
  await h.clock.advance(999);
  assert.equal(code, null);
  await h.clock.advance(2);
  assert.equal(code, "timeout");
});

test("a lost link fails what is in flight with disconnected; the next ready syncs from the cursor", async () => {
  const h = harness({ cursor: 2 });
  await goLive(h);
  const p = h.protocol.request({ type: "read", conversation_id: 1, seq: 2 });
  h.protocol.down("disconnected");
  await assert.rejects(p, (e) => e.code === "disconnected");
  assert.equal(h.protocol.live, false);
  await assert.rejects(h.protocol.request({ type: "read", conversation_id: 1 }), (e) => e.code === "offline");
  // Reconnect: events missed meanwhile come from the sync, each once.
  const fresh = new FakeTransport();
  h.protocol.attach(fresh);
  h.transport = fresh;
  h.protocol.receive({ type: "ready" });
  await settle();
  assert.equal(fresh.last("sync").since, 2);
  answerSync(h, [ev(3), ev(4)]);
  await settle();
  assert.equal(h.protocol.live, true);
  assert.deepEqual(h.applied, [3, 4]);
});

test("a drop during the catch-up sync does not declare the link open", async () => {
  const h = harness();
  let opened = 0;
  h.protocol.on("open", () => opened++);
  h.protocol.receive({ type: "ready" });
  await settle();
  h.protocol.down("disconnected");
  await settle();
  assert.equal(opened, 0);
  assert.equal(h.protocol.live, false);
});

test("sync_hint asks for sync from the cursor", async () => {
  const h = harness({ cursor: 8 });
  await goLive(h);
  const before = h.transport.all("sync").length;
  h.protocol.receive({ type: "sync_hint" });
  assert.equal(h.transport.all("sync").length, before + 1);
  assert.equal(h.transport.last("sync").since, 8);
});

test("frames carry increasing ids and replies are matched by id", async () => {
  const h = harness();
  await goLive(h);
  const a = h.protocol.request({ type: "ping" });
  const b = h.protocol.request({ type: "ping" });
  const [fa, fb] = h.transport.all("ping");
  assert.ok(fb.id > fa.id);
  h.protocol.receive({ type: "pong", id: fb.id });
  h.protocol.receive({ type: "pong", id: fa.id });
  assert.equal((await a).id, fa.id);
  assert.equal((await b).id, fb.id);
});

test("a transport that cannot write rejects at once with offline", async () => {
  const h = harness();
  await goLive(h);
  h.transport.open = false;
  await assert.rejects(h.protocol.request({ type: "ping" }), (e) => e.code === "offline");
});

test("malformed frames and events without a seq are ignored", () => {
  const p = new Protocol();
  p.receive(null);
  p.receive("text");
  p.receive({ type: "event", event: "x" });
  assert.equal(p.cursor, 0);
});

test("a listener that throws does not stop the others or the cursor", () => {
  const h = harness();
  const quiet = console.error;
  console.error = () => {};
  try {
    h.protocol.on("message.created", () => { throw new Error("boom"); });
    h.protocol.receive({ type: "event", ...ev(1) });
  } finally {
    console.error = quiet;
  }
  assert.deepEqual(h.applied, [1]);
});

test("a new transport that says ready while a sync was in flight on the old one syncs afresh", async () => {
  const h = harness({ cursor: 4 });
  h.protocol.receive({ type: "ready" });
  await settle();
  assert.equal(h.transport.all("sync").length, 1, "in flight, unanswered");
  const fresh = new FakeTransport();
  h.protocol.attach(fresh); // the probe socket takes over (the old link is dropped)
  h.transport = fresh;
  h.protocol.receive({ type: "ready" });
  await settle();
  assert.equal(fresh.all("sync").length, 1);
  answerSync(h, [ev(5)]);
  await settle();
  assert.equal(h.protocol.live, true);
  assert.deepEqual(h.applied, [5]);
});

test("a rate-limited sync waits retry_after on the clock, then asks again from the same cursor", async () => {
  const h = harness({ cursor: 2 });
  const done = h.protocol.sync();
  const first = h.transport.last("sync");
  h.protocol.receive({ type: "error", id: first.id, code: "rate_limited", message: "slow down", details: { retry_after: 3 } });
  await settle();
  assert.equal(h.transport.all("sync").length, 1, "no new sync before retry_after");
  await h.clock.advance(2900);
  assert.equal(h.transport.all("sync").length, 1);
  await h.clock.advance(200);
  assert.equal(h.transport.all("sync").length, 2);
  assert.equal(h.transport.last("sync").since, 2);
  answerSync(h, [ev(3)], { head: 3 });
  assert.equal(await done, true);
  assert.deepEqual(h.applied, [3]);
});

// The outbox: nothing typed is lost, every attempt carries the same client_msg_id, and two
// tabs sharing one store send each message once.
import assert from "node:assert/strict";
import { test } from "node:test";

import { memoryStore, Outbox } from "../../src/parley/core/static/parley/js/outbox.js";
import { Protocol } from "../../src/parley/core/static/parley/js/protocol.js";
import { fakeClock, FakeTransport, goLive, harness, settle } from "./helpers.mjs";

let n = 0;
const ids = () => `cmid-${++n}`;

function setup({ store = memoryStore(), h = harness() } = {}) {
  const outbox = new Outbox({ protocol: h.protocol, store, clock: h.clock, newId: ids });
  const events = [];
  for (const name of ["sent", "failed", "rejected"]) outbox.on(name, (item, x) => events.push([name, item.cmid, x && (x.code || x.id)]));
  return { ...h, h, outbox, store, events };
}

function ack(h, send, extra = {}) {
  h.protocol.receive({ type: "ack", id: send.id, client_msg_id: send.client_msg_id, created: true, message: { id: 100, client_msg_id: send.client_msg_id }, ...extra });
}

test("a message sent while offline waits in the store, then goes once the link is live", async () => {
  const s = setup();
  const item = s.outbox.add({ conversation_id: 3, body: "hello" });
  await settle();
  assert.equal(s.transport.all("send").length, 0);
  assert.deepEqual(s.store.load().map((i) => [i.cmid, i.state, i.body]), [[item.cmid, "queued", "hello"]]);
  await goLive(s.h);
  const send = s.transport.last("send");
  assert.deepEqual([send.conversation_id, send.body, send.client_msg_id], [3, "hello", item.cmid]);
  assert.equal(s.store.load()[0].state, "sending");
  ack(s.h, send);
  await settle();
  assert.equal(s.store.load().length, 0);
  assert.deepEqual(s.events, [["sent", item.cmid, 100]]);
});

test("a send sent while live goes at once", async () => {
  const s = setup();
  await goLive(s.h);
  s.outbox.add({ conversation_id: 1, body: "now" });
  await settle();
  assert.equal(s.transport.all("send").length, 1);
});

test("a link lost mid-send requeues it; the next open resends it with the same client_msg_id", async () => {
  const s = setup();
  await goLive(s.h);
  const item = s.outbox.add({ conversation_id: 1, body: "x" });
  await settle();
  s.protocol.down("disconnected");
  await settle();
  assert.equal(s.store.load()[0].state, "queued");
  assert.deepEqual(s.events, [], "a lost link is not a failure to show");
  const fresh = new FakeTransport();
  s.protocol.attach(fresh);
  s.h.transport = fresh;
  await goLive(s.h);
  const sends = fresh.all("send");
  assert.equal(sends.length, 1);
  assert.equal(sends[0].client_msg_id, item.cmid);
  ack(s.h, sends[0], { created: false }); // the first attempt had landed after all
  await settle();
  assert.equal(s.store.load().length, 0);
});

test("no ack in time: failed, shown; Retry resends with the same client_msg_id", async () => {
  const s = setup();
  await goLive(s.h);
  const item = s.outbox.add({ conversation_id: 1, body: "lost" });
  await s.clock.advance(10_001);
  assert.equal(s.store.load()[0].state, "failed");
  assert.deepEqual(s.events, [["failed", item.cmid, "timeout"]]);
  s.outbox.retry(item.cmid);
  await settle();
  const sends = s.transport.all("send");
  assert.equal(sends.length, 2);
  assert.equal(sends[1].client_msg_id, sends[0].client_msg_id);
  ack(s.h, sends[1]);
  await settle();
  assert.equal(s.outbox.size, 0);
});

test("failed items are tried again after a reconnect", async () => {
  const s = setup();
  await goLive(s.h);
  const item = s.outbox.add({ conversation_id: 1, body: "x" });
  s.protocol.receive({ type: "error", id: s.transport.last("send").id, code: "server_error", message: "bug" });
  await settle();
  assert.equal(s.store.load()[0].state, "failed");
  s.protocol.down();
  await goLive(s.h);
  const sends = s.transport.all("send");
  assert.equal(sends.length, 2);
  assert.equal(sends[1].client_msg_id, item.cmid);
});

test("rate_limited: failed, then tried again by itself after retry_after", async () => {
  const s = setup();
  await goLive(s.h);
  s.outbox.add({ conversation_id: 1, body: "fast" });
  s.protocol.receive({ type: "error", id: s.transport.last("send").id, code: "rate_limited", message: "slow", details: { retry_after: 2 } });
  await settle();
  assert.equal(s.store.load()[0].state, "failed");
  await s.clock.advance(1900);
  assert.equal(s.transport.all("send").length, 1);
  await s.clock.advance(200);
  assert.equal(s.transport.all("send").length, 2);
});

test("unavailable: tried again by itself with a growing back-off", async () => {
  const s = setup();
  await goLive(s.h);
  s.outbox.add({ conversation_id: 1, body: "db down" });
  const fail = () => s.protocol.receive({ type: "error", id: s.transport.last("send").id, code: "unavailable", message: "later" });
  fail();
  await s.clock.advance(2001);
  assert.equal(s.transport.all("send").length, 2);
  fail();
  await s.clock.advance(2001);
  assert.equal(s.transport.all("send").length, 2, "the second wait is longer");
  await s.clock.advance(2000);
  assert.equal(s.transport.all("send").length, 3);
});

test("a message the server refuses for good (invalid) leaves the outbox and is handed back", async () => {
  const s = setup();
  await goLive(s.h);
  const item = s.outbox.add({ conversation_id: 1, body: "\u0007" });
  s.protocol.receive({ type: "error", id: s.transport.last("send").id, code: "invalid", message: "control character", details: { field: "body" } });
  await settle();
  assert.equal(s.outbox.size, 0);
  assert.deepEqual(s.events, [["rejected", item.cmid, "invalid"]]);
});

test("several messages go one at a time, in the order they were written", async () => {
  const s = setup();
  for (const body of ["one", "two", "three"]) s.outbox.add({ conversation_id: 1, body });
  await goLive(s.h);
  for (const body of ["one", "two", "three"]) {
    const sends = s.transport.all("send");
    assert.equal(sends[sends.length - 1].body, body);
    assert.equal(sends.length, ["one", "two", "three"].indexOf(body) + 1, "the next waits for this ack");
    ack(s.h, sends[sends.length - 1]);
    await settle();
  }
  assert.equal(s.outbox.size, 0);
});

test("the outbox survives the tab: a new page over the same store sends it, once, with its client_msg_id", async () => {
  const store = memoryStore();
  const first = setup({ store });
  const item = first.outbox.add({ conversation_id: 5, body: "typed offline" });
  // The tab closes. Later a tab of the same user opens, online:
  const second = setup({ store });
  assert.deepEqual(second.outbox.items(5).map((i) => i.cmid), [item.cmid]);
  await goLive(second.h);
  const sends = second.transport.all("send");
  assert.equal(sends.length, 1);
  assert.equal(sends[0].client_msg_id, item.cmid);
  ack(second.h, sends[0]);
  await settle();
  assert.equal(store.load().length, 0);
});

test("a tab that died mid-send leaves 'sending' behind; the next tab sends it again", async () => {
  const store = memoryStore([{ cmid: "c-dead", conversation_id: 1, body: "b", state: "sending", created_at: "2026-01-01T00:00:00Z" }]);
  const s = setup({ store });
  assert.equal(store.load()[0].state, "queued");
  await goLive(s.h);
  assert.equal(s.transport.last("send").client_msg_id, "c-dead");
});

/** One store and an exclusive lock shared by two tabs, like localStorage + navigator.locks. */
function sharedStore() {
  const store = memoryStore();
  const held = new Set();
  store.lock = async (name, fn) => {
    if (held.has(name)) return undefined; // ifAvailable: someone else is at it
    held.add(name);
    try {
      return await fn();
    } finally {
      held.delete(name);
    }
  };
  return store;
}

test("two tabs of one user: each message is sent by one of them only", async () => {
  const store = sharedStore();
  const a = setup({ store });
  const b = setup({ store });
  a.outbox.add({ conversation_id: 1, body: "from a" });
  await goLive(a.h);
  await goLive(b.h);
  b.outbox.reload(); // b hears about it (a storage event)
  await settle();
  assert.equal(a.transport.all("send").length + b.transport.all("send").length, 1);
  const sender = a.transport.all("send").length ? a : b;
  ack(sender.h, sender.transport.last("send"));
  await settle();
  b.outbox.reload();
  a.outbox.reload();
  await settle();
  assert.equal(a.transport.all("send").length + b.transport.all("send").length, 1, "nobody sends it again");
  assert.equal(store.load().length, 0);
});

test("the other tab takes over what a closed tab left queued", async () => {
  const store = sharedStore();
  const a = setup({ store });
  const item = a.outbox.add({ conversation_id: 1, body: "left behind" }); // a is offline, then closed
  const b = setup({ store });
  await goLive(b.h);
  assert.equal(b.transport.last("send").client_msg_id, item.cmid);
});

test("discard forgets an item", () => {
  const s = setup();
  const item = s.outbox.add({ conversation_id: 1, body: "x" });
  s.outbox.discard(item.cmid);
  assert.equal(s.outbox.size, 0);
});

test("items are kept per conversation and carry their creation time from the clock", () => {
  const clock = fakeClock(Date.parse("2026-05-01T10:00:00Z"));
  const protocol = new Protocol({ clock });
  const outbox = new Outbox({ protocol, clock, newId: ids });
  outbox.add({ conversation_id: 1, body: "a" });
  outbox.add({ conversation_id: 2, body: "b" });
  assert.deepEqual(outbox.items(2).map((i) => i.body), ["b"]);
  assert.equal(outbox.items(1)[0].created_at, "2026-05-01T10:00:00.000Z");
});

test("a reply keeps its reply_to_id across a lost link and a resend; a plain send has none", async () => {
  const s = setup();
  await goLive(s.h);
  const quote = { id: 41, seq: 7, sender_id: 2, body: "Is it still available?" };
  const item = s.outbox.add({ conversation_id: 1, body: "yes", reply_to: quote });
  await settle();
  assert.equal(s.transport.last("send").reply_to_id, 41);
  assert.deepEqual(s.store.load()[0].reply_to, quote, "stored with the item, for the pending bubble and retries");
  s.protocol.down("disconnected");
  await settle();
  const fresh = new FakeTransport();
  s.protocol.attach(fresh);
  s.h.transport = fresh;
  await goLive(s.h);
  const [again] = fresh.all("send");
  assert.deepEqual([again.client_msg_id, again.reply_to_id], [item.cmid, 41]);
  ack(s.h, again);
  await settle();
  s.outbox.add({ conversation_id: 1, body: "plain" });
  await settle();
  assert.equal("reply_to_id" in fresh.last("send"), false);
});

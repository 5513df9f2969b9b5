// The conversation page's message list and read mark without a browser: a view that records
// what it draws, bubbles that know whether they were removed, and a request that is answered
// when the test says.
import assert from "node:assert/strict";
import { test } from "node:test";

import { MessageList, ORPHAN_GRACE_MS } from "../../src/parley/core/static/parley/js/message-list.js";
import { ReadMarks } from "../../src/parley/core/static/parley/js/read-marks.js";
import { fakeClock } from "./helpers.mjs";

const ME = { id: 1 };
const CONV = 7;

function bubble(label) {
  return { label, dataset: {}, removed: false, remove() { this.removed = true; } };
}

function fakeView() {
  const shown = []; // the bubbles in the list, in order
  return {
    shown,
    states: new Map(),
    refreshes: 0,
    list: { append: (node) => shown.push(node) },
    messageNode: (m) => bubble(`msg ${m.id}`),
    pendingNode: (item) => bubble(`pending ${item.cmid}`),
    confirmNode(node, m) { node.label = `msg ${m.id}`; },
    place(node, seq) {
      node.seq = seq;
      const at = shown.indexOf(node);
      if (at >= 0) shown.splice(at, 1);
      const before = shown.findIndex((other) => other.seq === undefined || other.seq > seq);
      shown.splice(before < 0 ? shown.length : before, 0, node);
    },
    setState(node, state) { this.states.set(node, state); },
    refresh() { this.refreshes++; },
  };
}

function page({ queued = () => false } = {}) {
  const view = fakeView();
  const clock = fakeClock();
  const mine = [];
  const messages = new MessageList({
    conversationId: CONV, me: ME, view, stillQueued: queued, onMine: (seq) => mine.push(seq),
    atBottom: (change) => { change(); view.refresh(); }, setTimer: clock.setTimeout,
  });
  const labels = () => view.shown.filter((n) => !n.removed).map((n) => n.label);
  return { view, clock, mine, messages, labels };
}

const msg = (id, seq, extra = {}) => ({ id, seq, conversation_id: CONV, sender_id: 2, client_msg_id: `c${id}`, ...extra });
const item = (cmid, state = "sending") => ({ cmid, conversation_id: CONV, body: "hi", state });

test("a stored message is shown once, in seq order, however often it arrives", () => {
  const { messages, labels } = page();
  messages.add(msg(3, 3));
  messages.confirm(msg(1, 1));
  messages.confirm(msg(3, 3)); // the live event of a message the history already showed
  messages.add(msg(2, 2));
  messages.confirm(msg(9, 9, { conversation_id: CONV + 1 })); // another conversation's
  messages.confirm(null);
  assert.deepEqual(labels(), ["msg 1", "msg 2", "msg 3"]);
  assert.equal(messages.oldestSeq, 1);
  assert.equal(messages.lastSeq, 3);
});

test("an outbox item's bubble becomes its message: never a second bubble", () => {
  const { messages, view, labels, mine } = page();
  messages.add(msg(1, 1));
  messages.showOutbox([item("a"), { ...item("b"), conversation_id: CONV + 1 }]);
  assert.deepEqual(labels(), ["msg 1", "pending a"]);
  const pending = view.shown[1];
  assert.equal(view.states.size, 0, "a fresh bubble is drawn in its state by the view itself");
  messages.showOutbox([item("a", "failed")]);
  assert.equal(view.states.get(pending), "failed");

  const stored = msg(5, 2, { sender_id: ME.id, client_msg_id: "a" });
  messages.confirm(stored); // the ack
  messages.confirm(stored); // and the live event of the same message, on this tab's socket
  messages.showOutbox([item("a", "sending")]); // a late "change" that still lists the item
  assert.deepEqual(labels(), ["msg 1", "msg 5"]);
  assert.equal(messages.node(5), pending, "the pending bubble itself is confirmed");
  assert.deepEqual(mine, [2], "my own message moves my read mark");
});

test("a message from another tab's outbox, stored before this tab saw the item, is not drawn twice", () => {
  const { messages, labels } = page();
  messages.confirm(msg(4, 1, { client_msg_id: "x" }));
  messages.showOutbox([item("x")]);
  assert.deepEqual(labels(), ["msg 4"]);
});

test("a refused item's bubble goes", () => {
  const { messages, labels } = page();
  messages.showOutbox([item("a")]);
  messages.drop("a");
  assert.deepEqual(labels(), []);
  messages.confirm(msg(1, 1, { client_msg_id: "a" }));
  assert.deepEqual(labels(), ["msg 1"], "and a later message with its id is drawn fresh");
});

test("a bubble whose item left another tab's outbox with no message goes after the grace", async () => {
  const queued = new Set(["a", "b"]);
  const { messages, clock, labels } = page({ queued: (cmid) => queued.has(cmid) });
  messages.showOutbox([item("a"), item("b"), item("c")]);
  queued.delete("a");
  messages.showOutbox([]); // a, b and c left the outbox list, as seen from this tab
  messages.confirm(msg(8, 1, { client_msg_id: "c" })); // c's message came
  await clock.advance(ORPHAN_GRACE_MS - 1);
  assert.deepEqual(labels(), ["msg 8", "pending a", "pending b"]);
  await clock.advance(1);
  assert.deepEqual(labels(), ["msg 8", "pending b"], "b is back in the outbox: it stays");
});

function marks({ readSeq = 0, newest = 0, visible = true } = {}) {
  const sent = [];
  const state = { newest, visible, answer: null };
  const conn = {
    request(frame) {
      sent.push(frame);
      return new Promise((resolve, reject) => { state.answer = { resolve, reject }; });
    },
  };
  const reads = new ReadMarks({
    conn, conversationId: CONV, readSeq, newestSeq: () => state.newest, canSee: () => state.visible,
  });
  return { reads, sent, state };
}

test("the read mark is asked for once per newest seq, only when the reader can see it", async () => {
  const { reads, sent, state } = marks({ readSeq: 3, newest: 3, visible: false });
  reads.mark();
  state.newest = 5;
  reads.mark();
  assert.deepEqual(sent, [], "nothing new, then a hidden page");
  state.visible = true;
  reads.mark();
  reads.mark();
  assert.deepEqual(sent, [{ type: "read", conversation_id: CONV, seq: 5 }]);
  state.answer.reject(new Error("down"));
  await new Promise(setImmediate);
  reads.mark();
  assert.equal(sent.length, 2, "a failed request is asked again at the next chance");
  state.answer.resolve({ last_read_seq: 5 });
  await new Promise(setImmediate);
  assert.equal(reads.mine, 5);
  reads.readUpTo(9); // my own message, or my mark from another tab
  state.newest = 9;
  reads.mark();
  assert.equal(sent.length, 2);
});

test("after Mark as unread the page does not mark it read until the reader interacts", async () => {
  const { reads, sent, state } = marks({ readSeq: 9, newest: 9 });
  const done = reads.markUnread();
  assert.deepEqual(sent.at(-1), { type: "unread", conversation_id: CONV });
  state.answer.resolve({ last_read_seq: 4 });
  assert.equal((await done).last_read_seq, 4);
  reads.mark();
  assert.equal(sent.length, 1, "paused");
  reads.resume();
  reads.mark();
  assert.deepEqual(sent.at(-1), { type: "read", conversation_id: CONV, seq: 9 });
});

test("a failed Mark as unread leaves the page marking as before", async () => {
  const { reads, sent, state } = marks({ readSeq: 2, newest: 6 });
  const done = reads.markUnread();
  state.answer.reject(new Error("down"));
  await assert.rejects(done);
  reads.mark();
  assert.deepEqual(sent.at(-1), { type: "read", conversation_id: CONV, seq: 6 });
});

// What the browser keeps per user: the outbox and drafts, under keys that name the user.
import assert from "node:assert/strict";
import { test } from "node:test";

import { UserStorage, memoryStorage } from "../../src/parley/core/static/parley/js/storage.js";

const memory = memoryStorage;

test("drafts are kept per conversation; an empty one is removed", () => {
  const s = new UserStorage(7, memory());
  s.setDraft(3, "half a thought");
  assert.equal(s.draft(3), "half a thought");
  assert.equal(s.draft(4), "");
  s.setDraft(3, "   ");
  assert.equal(s.draft(3), "");
});

test("the outbox store saves and loads items; an empty outbox leaves no key", () => {
  const raw = memory();
  const store = new UserStorage(7, raw).outboxStore();
  store.save([{ cmid: "a", body: "x" }]);
  assert.deepEqual(store.load(), [{ cmid: "a", body: "x" }]);
  store.save([]);
  assert.equal(raw.length, 0);
  raw.setItem("parley:7:outbox", "{not json");
  assert.deepEqual(store.load(), []);
});

test("clear() forgets one user's outbox and drafts, and nobody else's", async () => {
  const raw = memory();
  const bob = new UserStorage(7, raw);
  const carol = new UserStorage(8, raw);
  bob.setDraft(1, "bob's draft");
  bob.outboxStore().save([{ cmid: "b" }]);
  carol.setDraft(1, "carol's draft");
  raw.setItem("unrelated", "1");
  bob.clear();
  assert.equal(bob.draft(1), "");
  assert.deepEqual(bob.outboxStore().load(), []);
  assert.equal(carol.draft(1), "carol's draft");
  assert.equal(raw.getItem("unrelated"), "1");
});

test("without navigator.locks the lock still runs the work", async () => {
  const store = new UserStorage(1, memory()).outboxStore();
  assert.equal(await store.lock("x", async () => 42), 42);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { applyMoves, moveItems } from "../../src/parley/core/static/parley/js/inbox-counts.js";

test("moves add to the counts they name and leave the others", () => {
  const counts = { all: 3, unread: 1, buying: 1, selling: 2, archived: 1 };
  assert.deepEqual(applyMoves(counts, { all: 1, selling: 1, archived: -1, unread: 1 }),
    { all: 4, unread: 2, buying: 1, selling: 3, archived: 0 });
  assert.deepEqual(counts.all, 3, "the snapshot itself is not changed");
  assert.deepEqual(applyMoves(counts, {}), counts);
  assert.equal(applyMoves({ unread: 0 }, { unread: -1 }).unread, 0, "never below zero");
});

test("the filter by item gains, loses and reorders items", () => {
  const lamp = { id: 1, title: "Lamp" };
  const sofa = { id: 2, title: "Sofa" };
  let items = moveItems([], lamp, 1);
  assert.deepEqual(items, [{ listing: lamp, count: 1 }]);
  items = moveItems(moveItems(items, sofa, 1), sofa, 1);
  assert.deepEqual(items.map((i) => [i.listing.id, i.count]), [[2, 2], [1, 1]]);
  items = moveItems(items, lamp, -1);
  assert.deepEqual(items.map((i) => i.listing.id), [2], "an item with no conversation left goes");
});

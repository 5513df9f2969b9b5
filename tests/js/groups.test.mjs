// Message groups (one time per group) and the "Show more" fold.
import assert from "node:assert/strict";
import { test } from "node:test";

import { continuesGroup, groupPlaces, shouldFold } from "../../src/parley/core/static/parley/js/groups.js";

const at = (sender, minute, day = "d1") => ({ sender, time: minute * 60_000, day });

test("one person's messages within five minutes form a group", () => {
  assert.equal(continuesGroup(at("1", 0), at("1", 4)), true);
  assert.equal(continuesGroup(at("1", 0), at("1", 6)), false, "too far apart");
  assert.equal(continuesGroup(at("1", 0), at("2", 1)), false, "another person");
  assert.equal(continuesGroup(at("1", 0, "d1"), at("1", 1, "d2")), false, "across midnight");
});

test("each message knows whether it starts or ends its group", () => {
  const places = groupPlaces([at("1", 0), at("1", 1), at("1", 2), at("2", 3), at("1", 4), at("1", 30)]);
  assert.deepEqual(places.map((p) => `${+p.start}${+p.end}`), ["10", "00", "01", "11", "11", "11"]);
});

test("a long message is folded, a short one not", () => {
  assert.equal(shouldFold("short"), false);
  assert.equal(shouldFold("x".repeat(701)), true);
  assert.equal(shouldFold(Array(14).fill("line").join("\n")), true);
});

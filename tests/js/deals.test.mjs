// parley.deals' pure helpers: money as the issue writes it, the system lines, and where a
// deal item goes among the messages.
import assert from "node:assert/strict";
import { test } from "node:test";

import { canShow, changeText, fill, placeBefore, plainMoney } from "../../src/parley/deals/static/parley/js/deals-text.js";

const strings = {
  line_status_reserved: "{name} marked this item as reserved",
  line_price_down: "Price dropped from {old} to {new}",
  line_price_up: "Price raised from {old} to {new}",
};
const tr = (key, params) => fill(strings, key, params);

test("money is written as the issue writes it: no .00, the currency after", () => {
  assert.equal(plainMoney("350.00", "EUR"), "350 EUR");
  assert.equal(plainMoney("299.50", "EUR"), "299.50 EUR");
  assert.equal(plainMoney("1500", "JPY"), "1500 JPY");
  assert.equal(plainMoney(null, "EUR"), "");
});

test("system lines for a status change and a price drop or rise", () => {
  assert.equal(changeText({ kind: "status", new: "reserved", actor_name: "Alice" }, tr), "Alice marked this item as reserved");
  assert.equal(changeText({ kind: "price", old: "350.00", new: "300.00", currency: "EUR" }, tr), "Price dropped from 350 EUR to 300 EUR");
  assert.equal(changeText({ kind: "price", old: "300.00", new: "320.00", currency: "EUR" }, tr), "Price raised from 300 EUR to 320 EUR");
  assert.equal(fill({}, "unknown_key"), "unknown_key");
});

test("an item goes after the messages sent before it and before later and pending ones", () => {
  const msgs = [{ seq: 1, time: 100 }, { seq: 2, time: 200 }, { seq: 3, time: 300 }, { seq: 0, time: 50 }];
  assert.equal(placeBefore(msgs, 150), 1);
  assert.equal(placeBefore(msgs, 200), 2, "a message at the same time stays before it");
  assert.equal(placeBefore(msgs, 400), 3, "before a pending message, whatever its time");
  assert.equal(placeBefore(msgs.slice(0, 3), 400), -1, "at the end");
});

test("an item older than every loaded message waits until older pages are loaded", () => {
  assert.equal(canShow(50, 100, false), false);
  assert.equal(canShow(50, 100, true), true);
  assert.equal(canShow(150, 100, false), true);
});

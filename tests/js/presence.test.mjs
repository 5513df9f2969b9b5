// Typing and presence without a browser: the `typing` throttle and the "Active … ago" text.
import assert from "node:assert/strict";
import { test } from "node:test";

import { TypingThrottle, activeText, pageLocale } from "../../src/parley/core/static/parley/js/presence.js";

test("typing sends at most one signal every 3 s while the box has text", () => {
  const th = new TypingThrottle();
  assert.deepEqual(th.input(0, true), { active: true }, "the first key signals at once");
  assert.equal(th.input(1000, true), null);
  assert.equal(th.input(2999, true), null);
  assert.deepEqual(th.input(3000, true), { active: true });
  const sent = [0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 5500, 6000, 6500, 7000]
    .map((ms) => th.input(10_000 + ms, true)).filter(Boolean);
  assert.equal(sent.length, 3, "15 keys over 7 s: 3 signals");
});

test("emptying the box says stop while the other side may still show typing, and only then", () => {
  const th = new TypingThrottle();
  th.input(0, true);
  assert.deepEqual(th.input(2000, false), { active: false });
  assert.equal(th.input(2500, false), null, "said once");
  assert.deepEqual(th.input(2600, true), { active: true }, "typing again signals at once");
  assert.equal(th.input(9000, false), null, "6 s later it has gone over there by itself");
});

test("after a send or a failed frame the next key signals at once", () => {
  const th = new TypingThrottle();
  th.input(0, true);
  th.sent();
  assert.deepEqual(th.input(500, true), { active: true });
  th.failed();
  assert.deepEqual(th.input(600, true), { active: true });
});

const words = {
  active_just_now: { en: "Active just now", fr: "Actif à l’instant" },
  active_ago: { en: "Active {when}", fr: "Actif {when}" },
  active_on: { en: "Active on {date}", fr: "Actif le {date}" },
};
const tr = (language) => (key, params = {}) => words[key][language].replace(/\{(\w+)\}/g, (m, name) => params[name]);

test("Active … ago, in English and French", () => {
  const plain = (text) => text.replace(/[\u00a0\u202f]/g, " "); // Intl's no-break spaces
  const now = new Date(2026, 11, 3, 15, 0, 0).getTime(); // 3 Dec 2026, 15:00 local time
  const ago = (ms) => new Date(now - ms).toISOString();
  const en = { locale: "en-GB", t: tr("en") };
  const fr = { locale: "fr", t: tr("fr") };
  assert.equal(plain(activeText(null, now, en)), "", "never seen: nothing");
  assert.equal(plain(activeText(ago(20_000), now, en)), "Active just now");
  assert.equal(plain(activeText(ago(5 * 60_000), now, en)), "Active 5 min ago");
  assert.equal(plain(activeText(ago(5 * 60_000), now, fr)), "Actif il y a 5 min");
  assert.equal(plain(activeText(ago(3 * 3600_000), now, en)), "Active 3 hr ago");
  assert.equal(plain(activeText(new Date(2026, 11, 2, 9, 0).toISOString(), now, en)), "Active yesterday");
  assert.equal(plain(activeText(new Date(2026, 11, 2, 9, 0).toISOString(), now, fr)), "Actif hier");
  assert.equal(plain(activeText(new Date(2026, 10, 28, 9, 0).toISOString(), now, en)), "Active on 28 Nov");
  assert.equal(plain(activeText(new Date(2026, 10, 28, 9, 0).toISOString(), now, fr)), "Actif le 28 nov.");
  assert.equal(plain(activeText(new Date(2025, 10, 28, 9, 0).toISOString(), now, en)), "Active on 28 Nov 2025");
  assert.equal(plain(activeText(new Date(now + 5000).toISOString(), now, en)), "Active just now", "a clock a little ahead");
});

test("the page's language takes the browser's region when they agree", () => {
  assert.equal(pageLocale("en", ["en-GB", "fr"]), "en-GB");
  assert.equal(pageLocale("fr", ["en-GB", "fr-CA"]), "fr-CA");
  assert.equal(pageLocale("fr", ["en-GB"]), "fr");
});

// The in-tab notifier: who rings, when a browser notification shows, and what it says.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Notifier, excerpt, shouldAlert } from "../../src/parley/notifications/static/parley/js/notifier.js";

const NOW = Date.parse("2026-12-03T12:00:00Z");
const msg = (over = {}) => ({
  message: { id: 9, conversation_id: 4, sender_id: 2, body: "Is the bike still for sale?", created_at: "2026-12-03T11:59:58Z", ...over },
  conversation: { id: 4, other: { id: 2, name: "Bob Dupont" }, listing: { title: "Blue bike" } },
});

test("rings for a fresh message from someone else, not for mine, old ones or muted conversations", () => {
  const base = { me: 1, prefs: { muted: {} }, now: NOW, openConversation: null, visible: true };
  assert.equal(shouldAlert({ ...base, data: msg() }), true);
  assert.equal(shouldAlert({ ...base, data: msg({ sender_id: 1 }) }), false);
  assert.equal(shouldAlert({ ...base, data: msg({ created_at: "2026-12-03T11:50:00Z" }) }), false);
  assert.equal(shouldAlert({ ...base, prefs: { muted: { 4: null } }, data: msg() }), false);
  assert.equal(shouldAlert({ ...base, prefs: { muted: { 4: NOW + 1000 } }, data: msg() }), false);
  assert.equal(shouldAlert({ ...base, prefs: { muted: { 4: NOW - 1000 } }, data: msg() }), true);
  assert.equal(shouldAlert({ ...base, openConversation: 4, data: msg() }), false, "the open, visible conversation");
  assert.equal(shouldAlert({ ...base, openConversation: 4, visible: false, data: msg() }), true);
});

test("excerpt cuts long text on one line", () => {
  assert.equal(excerpt("a\n\n b"), "a b");
  assert.equal(excerpt("x".repeat(200), 10), `${"x".repeat(9)}\u2026`);
});

function setup({ visibility = "hidden", permission = "granted", prefs = {} } = {}) {
  const handlers = {};
  const conn = { on: (name, fn) => { handlers[name] = fn; } };
  const made = [];
  class FakeNotification {
    static permission = permission;
    constructor(title, options) { this.title = title; this.options = options; made.push(this); }
    close() { this.closed = true; }
  }
  const visits = [];
  const win = { Notification: FakeNotification, focus() {}, location: { assign: (url) => visits.push(url) } };
  const doc = { visibilityState: visibility, getElementById: () => null };
  globalThis.Audio = class { play() { return Promise.resolve(); } };
  const n = new Notifier({ conn, prefs: { sound: true, browser: true, sound_url: "/s.wav", muted: {}, ...prefs }, me: 1, doc, win });
  return { n, handlers, made, visits };
}

test("a hidden tab shows sender, item and start of message; a click opens the conversation", () => {
  const { n, handlers, made, visits } = setup();
  handlers["message.created"]({ ...msg(), message: { ...msg().message, created_at: new Date().toISOString() } });
  assert.equal(n.stats.sounds, 1);
  assert.equal(made.length, 1);
  assert.equal(made[0].title, "Bob Dupont");
  assert.equal(made[0].options.body, "Blue bike \u2014 Is the bike still for sale?");
  made[0].onclick();
  assert.deepEqual(visits, ["/messages/4/"]);
});

test("a visible tab only plays the sound; Sound off and no permission stay quiet", () => {
  const fresh = () => ({ ...msg(), message: { ...msg().message, created_at: new Date().toISOString() } });
  let s = setup({ visibility: "visible" });
  s.handlers["message.created"](fresh());
  assert.equal(s.n.stats.sounds, 1);
  assert.equal(s.made.length, 0);
  s = setup({ prefs: { sound: false }, permission: "denied" });
  s.handlers["message.created"](fresh());
  assert.equal(s.n.stats.sounds, 0);
  assert.equal(s.made.length, 0);
});

test("another tab's mute and unmute apply at once: no ring while muted, until the mute ends", () => {
  const { n, handlers } = setup({ visibility: "hidden" });
  const fresh = () => ({ ...msg(), message: { ...msg().message, created_at: new Date().toISOString() } });
  handlers["conversation.muted"]({ conversation_id: 4, until: null });
  handlers["message.created"](fresh());
  assert.equal(n.stats.sounds, 0, "muted until unmuted");
  handlers["conversation.unmuted"]({ conversation_id: 4 });
  handlers["message.created"](fresh());
  assert.equal(n.stats.sounds, 1);
  handlers["conversation.muted"]({ conversation_id: 4, until: new Date(Date.now() + 3600_000).toISOString() });
  handlers["message.created"](fresh());
  assert.equal(n.stats.sounds, 1, "muted for an hour");
  handlers["conversation.muted"]({ conversation_id: 4, until: new Date(Date.now() - 1000).toISOString() });
  handlers["message.created"](fresh());
  assert.equal(n.stats.sounds, 2, "a mute that has ended rings again");
});

function fakeMenu(muted) {
  const item = (attr) => ({ attr, hidden: attr === (muted ? "data-when-unmuted" : "data-when-muted") });
  const items = [item("data-when-muted"), item("data-when-muted"), item("data-when-unmuted"), item("data-when-unmuted")];
  const state = { textContent: "", dataset: { untilText: "Muted until %until%", foreverText: "Muted until you unmute" } };
  const menu = {
    querySelector: () => state,
    querySelectorAll: (sel) => items.filter((i) => sel === `[${i.attr}]`),
  };
  return { root: { parentElement: menu, dataset: { muted: String(muted) } }, items, state };
}

test("the conversation menu follows this user's mute events for its conversation only", async () => {
  const { MuteMenu } = await import("../../src/parley/notifications/static/parley/js/mute-menu.js");
  const handlers = {};
  const conn = { on: (name, fn) => { handlers[name] = fn; } };
  const { root, items, state } = fakeMenu(false);
  const timers = [];
  const menu = new MuteMenu({ conn, root, conversationId: 4, lang: "en-GB", setTimer: (fn, ms) => timers.push([fn, ms]), clearTimer: () => {} });
  const shown = () => items.map((i) => !i.hidden);
  assert.deepEqual(shown(), [false, false, true, true]);
  handlers["conversation.muted"]({ conversation_id: 5, until: null });
  assert.deepEqual(shown(), [false, false, true, true], "another conversation's mute");
  handlers["conversation.muted"]({ conversation_id: 4, until: null });
  assert.deepEqual(shown(), [true, true, false, false]);
  assert.equal(state.textContent, "Muted until you unmute");
  assert.equal(root.dataset.muted, "true");
  handlers["conversation.unmuted"]({ conversation_id: 4 });
  assert.deepEqual(shown(), [false, false, true, true]);
  const until = new Date(Date.now() + 3600_000);
  handlers["conversation.muted"]({ conversation_id: 4, until: until.toISOString() });
  assert.ok(state.textContent.startsWith("Muted until ") && !state.textContent.includes("%until%"), state.textContent);
  const [expire, ms] = timers.at(-1);
  assert.ok(ms > 3500_000 && ms <= 3600_000, "the menu lifts the mute when it ends");
  expire();
  assert.deepEqual(shown(), [false, false, true, true]);
  assert.equal(menu.root.dataset.muted, "false");
});

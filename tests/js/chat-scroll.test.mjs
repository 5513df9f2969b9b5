// The conversation's scroll box without a browser: a box whose scroll events arrive a frame
// late, as a browser dispatches them, and a ResizeObserver that runs when told.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ChatScroll } from "../../src/parley/core/static/parley/js/chat-scroll.js";

function box({ content = 1000, client = 500 } = {}) {
  const resized = [];
  globalThis.ResizeObserver = class {
    constructor(callback) { resized.push(callback); }
    observe() {}
  };
  const list = { height: content };
  const listeners = {};
  let top = 0;
  const scroller = {
    clientHeight: client,
    children: [list],
    contains: (node) => node === list,
    get scrollHeight() { return Math.max(list.height, this.clientHeight); },
    get scrollTop() { return top; },
    set scrollTop(value) { top = Math.max(0, Math.min(value, this.scrollHeight - this.clientHeight)); },
    addEventListener: (name, fn) => { listeners[name] = fn; },
  };
  const pill = { hidden: true, addEventListener() {} };
  const calls = { bottom: 0, top: 0 };
  const chat = new ChatScroll({
    scroller, content: list, pill,
    onBottom: () => calls.bottom++, onTop: () => calls.top++,
  });
  return {
    chat, scroller, list, pill, calls,
    scrolled: () => listeners.scroll(), // the browser dispatches the pending scroll event
    layout: () => resized.forEach((callback) => callback([])), // ResizeObserver's turn
    gap: () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight,
  };
}

test("content that grows before the scroll event arrives keeps a pinned reader at the bottom", () => {
  const b = box();
  b.chat.toBottom();
  b.list.height += 300; // a photo in the history finishes loading in the same frame
  b.scrolled();
  assert.equal(b.chat.pinned, true, "the reader did not scroll up, so they are still pinned");
  assert.equal(b.gap(), 0, "and they are at the new bottom");
  b.list.height += 60; // the next message
  b.layout();
  assert.equal(b.gap(), 0);
  assert.equal(b.pill.hidden, true);
});

test("a new message while pinned but before layout caught up scrolls down, not to the pill", () => {
  const b = box();
  b.chat.toBottom();
  b.list.height += 200; // grown, no scroll event and no ResizeObserver turn yet
  b.chat.atBottom(() => { b.list.height += 50; });
  assert.equal(b.gap(), 0);
  assert.equal(b.pill.hidden, true);
});

test("the reader scrolling up unpins: a new message then shows the pill and leaves them in place", () => {
  const b = box();
  b.chat.toBottom();
  b.scrolled();
  b.scroller.scrollTop = 200;
  b.scrolled();
  assert.equal(b.chat.pinned, false);
  b.chat.atBottom(() => { b.list.height += 50; });
  assert.equal(b.scroller.scrollTop, 200, "not pulled down");
  assert.equal(b.pill.hidden, false, "the pill offers the new message");
  b.layout();
  assert.equal(b.scroller.scrollTop, 200, "layout changes do not pull them down either");
});

test("older pages loaded above keep the place, and the reader can still scroll up from there", () => {
  const b = box({ content: 600, client: 500 });
  b.chat.toBottom();
  b.scrolled();
  b.chat.keepPlace(() => { b.list.height += 2000; }); // an older page, above
  assert.equal(b.gap(), 0, "the reader still sees the newest messages");
  b.scroller.scrollTop -= 300;
  b.scrolled();
  assert.equal(b.chat.pinned, false, "scrolling up from the kept place unpins");
  assert.equal(b.gap(), 300, "and is not undone");
});

test("reaching the bottom marks read and hides the pill; nearing the top asks for older", () => {
  const b = box();
  b.chat.toBottom();
  b.scrolled();
  assert.equal(b.calls.bottom, 1);
  b.scroller.scrollTop = 300;
  b.scrolled();
  assert.equal(b.calls.bottom, 1, "up in the history: nothing more is marked read");
  b.pill.hidden = false;
  b.scroller.scrollTop = 500;
  b.scrolled();
  assert.equal(b.calls.bottom, 2);
  assert.equal(b.pill.hidden, true);
  assert.equal(b.calls.top, 0);
  b.scroller.scrollTop = 100;
  b.scrolled();
  assert.equal(b.calls.top, 1);
});

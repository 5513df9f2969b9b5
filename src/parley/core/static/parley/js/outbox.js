// The outbox: messages the user sent that the server has not acknowledged yet. No I/O of
// its own: a store keeps the items (localStorage in the browser, memory in tests) and a lock
// keeps two tabs from sending the same item at once. Every attempt of an item carries the same
// client_msg_id, so a retry after a lost ack never makes a second message (docs/protocol.md).
//
// Item: {cmid, conversation_id, body, reply_to?, attachments?, created_at, state, error?, attempts}
// attachments: the uploaded files' wire dicts (parley.attachments); their ids go as attachment_ids.
// reply_to: the quote as the bubble shows it ({id, seq, sender_id, body}); its id is sent as
// reply_to_id on every attempt.
// state: "queued" (waiting for a live link), "sending", "failed" (shown with Retry).

import { Emitter, systemClock } from "./protocol.js";

// The text itself or its target is wrong: retrying cannot help, give it back to the writer.
const PERMANENT = new Set(["invalid", "not_found", "blocked", "conflict", "bad_frame", "bad_json", "unknown_type", "frame_too_large"]);
// The link went away: wait for the next `open`, quietly.
const LINK_LOST = new Set(["offline", "disconnected"]);
const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 60000;

/** A store in memory: load/save a list of items, and a lock that is always free. */
export function memoryStore(initial = []) {
  let items = initial.map((i) => ({ ...i }));
  return {
    load: () => items.map((i) => ({ ...i })),
    save: (next) => { items = next.map((i) => ({ ...i })); },
    lock: async (name, fn) => fn(),
  };
}

export function uuid4() {
  return globalThis.crypto.randomUUID();
}

export class Outbox extends Emitter {
  /** protocol: a Protocol; store: {load, save, lock(name, fn)}. */
  constructor({ protocol, store = memoryStore(), clock = systemClock, newId = uuid4 }) {
    super();
    this.protocol = protocol;
    this.store = store;
    this.clock = clock;
    this.newId = newId;
    this._flushing = false;
    this._again = false;
    this._timers = new Map(); // cmid -> automatic retry timer
    protocol.on("open", () => this._afterOpen());
    // A tab that died mid-send leaves "sending" behind; nobody holds its lock any more.
    this._write((items) => items.map((i) => (i.state === "sending" ? { ...i, state: "queued" } : i)), { quiet: true });
  }

  /** Every waiting item, oldest first (optionally of one conversation). */
  items(conversationId) {
    const all = this.store.load();
    return conversationId === undefined ? all : all.filter((i) => i.conversation_id === conversationId);
  }

  get size() {
    return this.store.load().length;
  }

  /** Queue a message and try to send it now; return the item (its cmid names it). */
  add({ conversation_id, body, reply_to = null, attachments = [] }) {
    const item = {
      cmid: this.newId(),
      conversation_id,
      body,
      ...(reply_to ? { reply_to } : {}),
      ...(attachments.length ? { attachments } : {}),
      created_at: new Date(this.clock.now()).toISOString(),
      state: "queued",
      attempts: 0,
    };
    this._write((items) => [...items, item]);
    this.flush();
    return item;
  }

  /** Try a failed item again, with the same client_msg_id. */
  retry(cmid) {
    this._cancelTimer(cmid);
    this._patch(cmid, { state: "queued", error: undefined });
    this.flush();
  }

  /** Forget an item (the writer took it back). */
  discard(cmid) {
    this._cancelTimer(cmid);
    this._write((items) => items.filter((i) => i.cmid !== cmid));
  }

  /** The store changed in another tab: show it, and send what is now ours to send. */
  reload() {
    this.emit("change", this.items());
    this.flush();
  }

  /** Send every queued item, one at a time and in order, while the link is live. */
  async flush() {
    if (this._flushing) {
      this._again = true;
      return;
    }
    this._flushing = true;
    try {
      do {
        this._again = false;
        await this._round();
      } while (this._again && this.protocol.live);
    } finally {
      this._flushing = false;
    }
  }

  async _round() {
    const tried = new Set();
    while (this.protocol.live) {
      const item = this.items().find((i) => i.state === "queued" && !tried.has(i.cmid));
      if (!item) return;
      tried.add(item.cmid);
      // Held elsewhere: another tab is sending it; its result reaches us through the store.
      await this.store.lock(`parley-send-${item.cmid}`, () => this._sendOne(item.cmid));
    }
  }

  async _sendOne(cmid) {
    const item = this.items().find((i) => i.cmid === cmid);
    if (!item || item.state !== "queued") return; // sent by another tab meanwhile
    this._patch(cmid, { state: "sending", attempts: (item.attempts || 0) + 1 });
    try {
      const frame = { type: "send", conversation_id: item.conversation_id, body: item.body, client_msg_id: cmid };
      if (item.reply_to) frame.reply_to_id = item.reply_to.id;
      if (item.attachments?.length) frame.attachment_ids = item.attachments.map((a) => a.id);
      const reply = await this.protocol.request(frame);
      this._write((items) => items.filter((i) => i.cmid !== cmid));
      this.emit("sent", item, reply.message);
    } catch (err) {
      this._failed(item, err);
    }
  }

  _failed(item, err) {
    const code = err.code || "server_error";
    if (LINK_LOST.has(code)) {
      this._patch(item.cmid, { state: "queued" });
      return;
    }
    if (PERMANENT.has(code)) {
      this._write((items) => items.filter((i) => i.cmid !== item.cmid));
      this.emit("rejected", item, err);
      return;
    }
    const details = err.details || {};
    this._patch(item.cmid, { state: "failed", error: { code, message: err.message, details } });
    this.emit("failed", item, err);
    if (code === "rate_limited") {
      this._retryIn(item.cmid, Math.max(1, Number(details.retry_after) || 1) * 1000);
    } else if (code === "unavailable") {
      const attempts = (item.attempts || 0) + 1;
      this._retryIn(item.cmid, Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (attempts - 1)));
    }
    // "timeout" and "server_error" wait for Retry or the next (re)connect.
  }

  _afterOpen() {
    // A fresh link: whatever failed for a passing reason gets another go.
    this._write((items) => items.map((i) => (i.state === "failed" ? { ...i, state: "queued", error: undefined } : i)), { quiet: true });
    this.emit("change", this.items());
    this.flush();
  }

  _retryIn(cmid, ms) {
    this._cancelTimer(cmid);
    this._timers.set(cmid, this.clock.setTimeout(() => {
      this._timers.delete(cmid);
      const item = this.items().find((i) => i.cmid === cmid);
      if (item && item.state === "failed") this.retry(cmid);
    }, ms));
  }

  _cancelTimer(cmid) {
    if (!this._timers.has(cmid)) return;
    this.clock.clearTimeout(this._timers.get(cmid));
    this._timers.delete(cmid);
  }

  _patch(cmid, patch) {
    this._write((items) => items.map((i) => (i.cmid === cmid ? { ...i, ...patch } : i)));
  }

  _write(change, { quiet = false } = {}) {
    this.store.save(change(this.store.load()));
    if (!quiet) this.emit("change", this.items());
  }
}
